/**
 * Resend to failed (issue 8): a new WAVE of a broadcast for the recipients whose failure is
 * resendable (status-tracker selects them: failed with a resendable error code, or unknown past the
 * unknown window; never a recipient that was accepted, skipped, opted out or cancelled). The wave is a
 * broadcast of its own (new id: new recipient ids, callback data and dispatcher attempt records)
 * whose rows keep the original's row numbers, so reports line up.
 *
 * Protocol: status-tracker stores the wave (its row selection and a `created` broadcast row), then we
 * publish the wave's `broadcast.uploaded` (the original's object, template, mapping and sender, with
 * `wave: { number, parentBroadcastId, selection: 'status-tracker' }`); csv-splitter then splits only
 * the selected rows, reading them from status-tracker. A crash between the two leaves the wave
 * `created`: the next resend request gets that same wave back and publishes it again (a re-split is
 * harmless), rather than creating a second one.
 */
import { createEnvelope } from '@wab/contracts';
import type { Logger } from '@wab/service-runtime';
import { BROADCAST_ID } from './domain/broadcast-request.js';
import { broadcastNotFound, GatewayError, invalidRequest } from './domain/errors.js';
import type { EventBus } from './ports/event-bus.port.js';
import type { ResendRequest, ResendWaves } from './ports/resend-waves.port.js';

export interface ResendAccepted {
  /** The new wave's broadcast id: follow it like any broadcast. */
  id: string;
  parentBroadcastId: string;
  wave: number;
  /** Recipients selected into the wave. */
  selected: number;
  statusUrl: string;
}

export class ResendService {
  constructor(
    private readonly waves: ResendWaves,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {}

  async resend(
    tenantId: string,
    id: string,
    body: unknown,
    requestId: string,
  ): Promise<ResendAccepted> {
    const request = parseRequest(body);
    if (!BROADCAST_ID.test(id)) throw broadcastNotFound(id);
    const answer = await this.waves.create(tenantId, id, request);
    switch (answer.kind) {
      case 'not-found':
        throw broadcastNotFound(id);
      case 'invalid':
        throw invalidRequest(answer.message);
      case 'conflict':
        throw new GatewayError('conflict', answer.code, answer.message, answer.details);
      case 'unprocessable':
        throw new GatewayError('unprocessable', answer.code, answer.message);
      case 'created':
        break;
    }
    const { wave } = answer;
    await this.events.publish(
      'uploaded',
      createEnvelope('broadcast.uploaded', wave.uploaded, { tenantId, correlationId: wave.id }),
    );
    this.log.info(
      {
        correlationId: wave.id,
        requestId,
        tenantId,
        parentBroadcastId: wave.parentBroadcastId,
        wave: wave.wave,
        selected: wave.selected,
        republished: !wave.created,
      },
      'resend wave published',
    );
    return {
      id: wave.id,
      parentBroadcastId: wave.parentBroadcastId,
      wave: wave.wave,
      selected: wave.selected,
      statusUrl: `/v1/broadcasts/${wave.id}`,
    };
  }
}

function parseRequest(body: unknown): ResendRequest {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest(
      'the body must be a JSON object: { "states": [...], "errorCodes": [...] }',
    );
  }
  const { states, errorCodes, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalidRequest(`unknown fields: ${unknown.join(', ')}`);
  if (
    states !== undefined &&
    (!Array.isArray(states) || !states.every((s) => typeof s === 'string'))
  ) {
    throw invalidRequest('states must be a list of states ("failed", "unknown")');
  }
  if (
    errorCodes !== undefined &&
    (!Array.isArray(errorCodes) ||
      !errorCodes.every(
        (c) =>
          (typeof c === 'number' && Number.isInteger(c)) ||
          (typeof c === 'string' && /^[0-9]{1,9}$/.test(c)),
      ))
  ) {
    throw invalidRequest('errorCodes must be a list of Meta error codes (numbers)');
  }
  return {
    ...(states !== undefined ? { states: states } : {}),
    ...(errorCodes !== undefined ? { errorCodes: errorCodes as (string | number)[] } : {}),
  };
}
