import type { CloudApiTemplateDefinition } from '../domain/templates.js';

/** The sender's template list (WhatsApp Business Management API). Abstract class = type and DI token. */
export abstract class TemplateCatalog {
  /** Every template of the business account, whatever its status, all pages followed. */
  abstract listAll(): Promise<CloudApiTemplateDefinition[]>;
}
