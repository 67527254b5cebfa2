export { ManualClock, systemClock, type Clock } from './clock.js';
export { ERROR_CATALOG, errorEnvelope, GraphError, type ErrorCode } from './errors.js';
export { latencySampler, parseLatency, type LatencyModel } from './latency.js';
export { Ledger, normaliseWaId, type AcceptedMessage, type LedgerSummary } from './ledger.js';
export {
  DEFAULT_ACCESS_TOKEN,
  DEFAULT_APP_SECRET,
  DEFAULT_PHONE_NUMBER_ID,
  DEFAULT_WABA_ID,
  faultProfile,
  type FaultProfile,
  type LimitsOptions,
  type SimulatorOptions,
  type StatusBehaviour,
  type WebhookOptions,
} from './options.js';
export { seededRandom, type Random } from './random.js';
export { PairLimiter, PortfolioLimiter, TokenBucket } from './rate-limit.js';
export { Simulator, startSimulator, type InboundRequest, type StartOptions } from './simulator.js';
export { DEFAULT_TEMPLATES_FILE, loadTemplates, TemplateRegistry, type RenderedTemplate, type TemplateDefinition } from './templates.js';
export { signBody } from './webhooks.js';
export { SimulatorClient } from './client.js';
