import type { TemplateRef, ResolvedParameters } from './primitives.js';
import type { CloudApiTemplate, TemplateComponent } from './events/send-requests.js';

/**
 * Turns one recipient's resolved parameters (broadcast.rows) into the Cloud API `template` object of
 * message.send-requested. Defined here, beside both shapes, so the two contracts cannot drift apart.
 * Positional parameters are sent in `position` order (array order when absent); named ones carry
 * `parameter_name`. A template without parameters gets no `components` at all.
 */
export function renderCloudApiTemplate(
  template: TemplateRef,
  parameters: ResolvedParameters,
): CloudApiTemplate {
  const named = template.parameterFormat === 'named';
  const components: TemplateComponent[] = [];
  const header = parameters.header;
  if (header) {
    switch (header.type) {
      case 'text':
        components.push({
          type: 'header',
          parameters: [
            {
              type: 'text',
              text: header.value,
              ...(named && header.name ? { parameter_name: header.name } : {}),
            },
          ],
        });
        break;
      case 'image':
        components.push({
          type: 'header',
          parameters: [{ type: 'image', image: { link: header.value } }],
        });
        break;
      case 'video':
        components.push({
          type: 'header',
          parameters: [{ type: 'video', video: { link: header.value } }],
        });
        break;
      case 'document':
        components.push({
          type: 'header',
          parameters: [{ type: 'document', document: { link: header.value } }],
        });
        break;
    }
  }
  if (parameters.body.length > 0) {
    const ordered = named
      ? parameters.body
      : parameters.body
          .map((parameter, index) => ({ parameter, order: parameter.position ?? index + 1 }))
          .sort((a, b) => a.order - b.order)
          .map(({ parameter }) => parameter);
    components.push({
      type: 'body',
      parameters: ordered.map((parameter) => ({
        type: 'text' as const,
        text: parameter.text,
        ...(named && parameter.name ? { parameter_name: parameter.name } : {}),
      })),
    });
  }
  for (const button of [...(parameters.buttons ?? [])].sort((a, b) => a.index - b.index)) {
    const index = String(button.index);
    switch (button.subType) {
      case 'url':
        components.push({
          type: 'button',
          sub_type: 'url',
          index,
          parameters: [{ type: 'text', text: button.value }],
        });
        break;
      case 'quick_reply':
        components.push({
          type: 'button',
          sub_type: 'quick_reply',
          index,
          parameters: [{ type: 'payload', payload: button.value }],
        });
        break;
      case 'copy_code':
        components.push({
          type: 'button',
          sub_type: 'copy_code',
          index,
          parameters: [{ type: 'coupon_code', coupon_code: button.value }],
        });
        break;
    }
  }
  return {
    name: template.name,
    language: { code: template.language },
    ...(components.length > 0 ? { components } : {}),
  };
}
