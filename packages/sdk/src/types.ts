// Handler types derived from the contract schemas, so a vendor's editor completes capability
// names, params and result fields. They are read off the catalogue's rows.
import type { CapabilityDef, CapabilityName, ParamsOf, ResultOf } from '@eposgate/contract';
import type { RequestorHeaders } from '@eposgate/contract';

/** Every capability name a handler can be written for. */
export type HandlerName = CapabilityName;

/** What a handler knows about the call besides its params. */
export interface HandlerContext {
  /** Registration name of the capability being invoked. */
  capability: HandlerName;
  /** The catalogue row (wire method, REST route, schemas). */
  def: CapabilityDef;
  /** Who is asking: `params.headers` over WS, `waiter-id` etc. over REST. Any may be absent. */
  headers: RequestorHeaders;
  /** The transport the call came in on. */
  transport: 'ws' | 'rest' | 'direct';
  /** Correlates logs with the answer's `traceId` on errors. */
  traceId: string;
}

export type Handler<N extends HandlerName> = (
  params: ParamsOf<N>,
  ctx: HandlerContext,
) => ResultOf<N> | Promise<ResultOf<N>>;

/** Implement any subset; only what is implemented is routed, registered and advertised. */
export type Handlers = { [N in HandlerName]?: Handler<N> };

export type { RequestorHeaders, ParamsOf, ResultOf };
