// @kapi/gateway: kapi's front door — the Kubernetes REST API over HTTPS, backed by the storage
// service on the bus.

export { startGateway, defaultFilterChain, DEFAULT_MAX_REQUEST_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from './server.js';
export type { Gateway, GatewayOptions, GatewayTLS } from './server.js';
export { compose, insertFilter, KUBE_FILTER_ORDER } from './chain.js';
export type { Filter, NamedFilter, Next } from './chain.js';
export { RequestContext } from './context.js';
export { newRequestInfo, type RequestInfo } from './request-info.js';
export { jsonLogger, silentLogger, type GatewayLogger } from './logger.js';
export { DEFAULT_COLUMNS, AGE_COLUMN, NAME_COLUMN, humanDuration } from './table.js';
export type { ColumnProvider, ColumnProviderLookup, TableColumnDefinition, TableRowCondition } from './table.js';
export { builtinColumns, printerFor } from './printers/index.js';
export { defaultVersionInfo, type VersionInfo } from './version.js';
export { parseAuthorizationModes, type Authorizer, type AuthorizationAttributes, type AuthorizationResult } from './auth/authorizer.js';
export type { AuthenticationOptions } from './auth/authentication-config.js';
export type { TokenAuthenticator, TokenResult } from './auth/token.js';
export { bootstrapConfiguration, mandatoryFlowSchemas, mandatoryPriorityLevels, suggestedFlowSchemas, suggestedPriorityLevels } from '@kapi/apimachinery';
export { FlowController, StaticConfigSource, DEFAULT_MAX_REQUESTS_INFLIGHT, DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT } from './flowcontrol/controller.js';
export type { FlowControlConfigSource } from './flowcontrol/config-source.js';
export type { FlowSchema, PriorityLevelConfiguration } from '@kapi/apimachinery';
