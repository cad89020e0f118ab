// The platform's Prometheus metrics (GET /metrics), one prom-client Registry per platform (several
// platforms share a test process, so never the global one). What moves on every call or request is
// counted into plain numbers and fixed arrays (histogram.ts), without a promise, a label object or
// a hash per call; prom-client reads them on scrape. Gauges are read on scrape too, those that need
// the store with a cheap query bounded by a timeout (docs/operations.md lists every metric).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { within } from '../deadline.ts';
import { BUCKETS_MS, FixedHistogram } from './histogram.ts';

interface CallSeries {
  latency: FixedHistogram;
  errors: Map<string, number>;
}

/** What the scrape-time gauges read; the platform wires them once its parts exist. */
export interface MetricsSources {
  /** Open EPOS sockets on this node. */
  sockets(): number;
  /** Open SSE event streams on this node. */
  sseStreams(): number;
  /** WebSocket frame counters, over all sockets of this node (gateway.stats). */
  frames(): { framesIn: number; framesOut: number; framesRefused: number; badFrames: number; binaryFrames: number; unknownIds: number; lateAnswers: number; peerMessages: number };
  /** Outbox entries pending and failed over all tenants (one cheap store query). */
  outbox(): Promise<{ pending: number; failed: number }>;
  /** Longest a store query of a scrape may take; past it the gauge is left out of that scrape. */
  storeTimeoutMs: number;
  /** Called when a store-backed gauge could not be read (logged by the platform). */
  onError?(what: string, err: unknown): void;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** One route's HTTP latencies, by status class: made when the route is declared, filled per request. */
export class RouteTimings {
  readonly byClass: FixedHistogram[] = STATUS_CLASSES.map(() => new FixedHistogram());
  constructor(readonly method: string, readonly route: string) {}

  record(status: number, ms: number): void {
    const c = (status / 100) | 0;
    this.byClass[c >= 1 && c <= 5 ? c - 1 : 4]!.observe(ms);
  }
}

type Labels = Record<string, string>;

/** A prom-client histogram whose values come from FixedHistograms (rendered on scrape, never observed). */
class HistogramView extends Histogram<string> {
  constructor(name: string, help: string, labelNames: string[], registry: Registry, private readonly series: () => Iterable<[Labels, FixedHistogram]>) {
    super({ name, help, labelNames, buckets: [...BUCKETS_MS], registers: [registry] });
  }

  override async get(): Promise<Awaited<ReturnType<Histogram<string>['get']>>> {
    const name = (this as unknown as { name: string }).name;
    const values: { labels: Labels; value: number; metricName: string }[] = [];
    for (const [labels, h] of this.series()) {
      if (h.count === 0) continue;
      let cum = 0;
      BUCKETS_MS.forEach((b, i) => {
        cum += h.counts[i]!;
        values.push({ labels: { ...labels, le: String(b) }, value: cum, metricName: `${name}_bucket` });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: h.count, metricName: `${name}_bucket` });
      values.push({ labels, value: h.sum, metricName: `${name}_sum` }, { labels, value: h.count, metricName: `${name}_count` });
    }
    const help = (this as unknown as { help: string }).help;
    return { name, help, type: 'histogram' as never, aggregator: 'sum', values } as unknown as Awaited<ReturnType<Histogram<string>['get']>>;
  }

  /** The registry prefers this one when present: the same values. */
  getForPromString(): ReturnType<HistogramView['get']> {
    return this.get();
  }
}

export class Metrics {
  readonly registry = new Registry();
  /** Calls the dispatcher has sent and not yet seen answered (a plain number: read on scrape). */
  inFlight = 0;
  /** capability → transport → series: two lookups, no key string built per call. */
  private readonly calls = new Map<string, Map<string, CallSeries>>();
  private readonly routes: RouteTimings[] = [];
  private sources?: MetricsSources;
  /** Calls the call log could not record (queue full, batch not written); set by the platform. */
  callLogDropped?: () => number;

  constructor() {
    const calls = this.calls;
    const self = this;
    new Counter({
      name: 'eposgate_calls_total', help: 'Calls to EPOS capabilities.', labelNames: ['capability', 'transport'], registers: [this.registry],
      collect() {
        this.reset();
        for (const [capability, byTransport] of calls) for (const [transport, s] of byTransport) this.inc({ capability, transport }, s.latency.count);
      },
    });
    new Counter({
      name: 'eposgate_call_errors_total', help: 'Failed calls by error code.', labelNames: ['capability', 'transport', 'code'], registers: [this.registry],
      collect() {
        this.reset();
        for (const [capability, byTransport] of calls) {
          for (const [transport, s] of byTransport) for (const [code, n] of s.errors) this.inc({ capability, transport, code }, n);
        }
      },
    });
    new HistogramView('eposgate_call_duration_ms', 'Call latency, ms.', ['capability', 'transport'], this.registry, function* () {
      for (const [capability, byTransport] of calls) for (const [transport, s] of byTransport) yield [{ capability, transport }, s.latency];
    });
    new Counter({
      name: 'eposgate_call_log_dropped_total', help: 'Calls not recorded in the call log (queue full or store failing).', registers: [this.registry],
      collect() {
        this.reset();
        if (self.callLogDropped) this.inc(self.callLogDropped());
      },
    });
    new Gauge({
      name: 'eposgate_calls_in_flight', help: 'Calls sent to EPOSes and not yet answered, on this node.', registers: [this.registry],
      collect() { this.set(self.inFlight); },
    });
    const routes = this.routes;
    new HistogramView('eposgate_http_request_duration_ms', 'HTTP request latency by method, route pattern and status class, ms.',
      ['method', 'route', 'status_class'], this.registry, function* () {
        for (const r of routes) {
          for (const [i, h] of r.byClass.entries()) yield [{ method: r.method, route: r.route, status_class: STATUS_CLASSES[i]! }, h];
        }
      });
    new Gauge({
      name: 'eposgate_epos_sockets_open', help: 'Open EPOS WebSocket connections on this node.', registers: [this.registry],
      collect() { if (self.sources) this.set(self.sources.sockets()); },
    });
    new Gauge({
      name: 'eposgate_sse_streams_open', help: 'Open SSE event streams (GET /epos/events/stream) on this node.', registers: [this.registry],
      collect() { if (self.sources) this.set(self.sources.sseStreams()); },
    });
    new Counter({
      name: 'eposgate_ws_frames_total', help: 'WebSocket frames received from EPOSes (in) and sent to them (out), on this node.',
      labelNames: ['direction'], registers: [this.registry],
      collect() {
        this.reset();
        const f = self.sources?.frames();
        if (f) { this.inc({ direction: 'in' }, f.framesIn); this.inc({ direction: 'out' }, f.framesOut); }
      },
    });
    new Counter({
      name: 'eposgate_ws_frames_refused_total',
      help: 'Frames from EPOSes the platform did not use, by reason: over the rate limits (the socket is closed), invalid, binary, answering an unknown or given-up call, or a request/notification.',
      labelNames: ['reason'], registers: [this.registry],
      collect() {
        this.reset();
        const f = self.sources?.frames();
        if (!f) return;
        this.inc({ reason: 'rate_limit' }, f.framesRefused);
        this.inc({ reason: 'invalid' }, f.badFrames);
        this.inc({ reason: 'binary' }, f.binaryFrames);
        this.inc({ reason: 'unknown_id' }, f.unknownIds);
        this.inc({ reason: 'late_answer' }, f.lateAnswers);
        this.inc({ reason: 'peer_message' }, f.peerMessages);
      },
    });
    new Gauge({
      name: 'eposgate_outbox_entries', help: 'Outbox entries (events for EPOSes) by status, all tenants; left out of a scrape when the store does not answer in time.',
      labelNames: ['status'], registers: [this.registry],
      async collect() {
        this.reset();
        const s = self.sources;
        if (!s) return;
        try {
          const n = await within(s.outbox(), s.storeTimeoutMs, 'the outbox count');
          this.set({ status: 'pending' }, n.pending);
          this.set({ status: 'failed' }, n.failed);
        } catch (err) {
          s.onError?.('eposgate_outbox_entries', err);
        }
      },
    });
  }

  /** Wires the scrape-time gauges to the platform's parts. */
  observe(sources: MetricsSources): void {
    this.sources = sources;
  }

  /**
   * A gauge read on scrape, for a figure another module owns (e.g. tenants whose deliveries are
   * paused: `eposgate_outbox_paused_tenants`). A read that throws or passes `timeoutMs` leaves the
   * gauge out of that scrape.
   */
  gauge(name: string, help: string, read: () => number | Promise<number>, timeoutMs = 1000): void {
    const onError = () => this.sources?.onError;
    new Gauge({
      name, help, registers: [this.registry],
      async collect() {
        this.reset();
        try {
          this.set(await within(Promise.resolve(read()), timeoutMs, name));
        } catch (err) {
          onError()?.(name, err);
        }
      },
    });
  }

  /** One call's outcome: counted, timed, and its error code tallied. */
  record(capability: string, transport: string, ms: number, errorCode?: string): void {
    let byTransport = this.calls.get(capability);
    if (!byTransport) this.calls.set(capability, byTransport = new Map());
    let s = byTransport.get(transport);
    if (!s) byTransport.set(transport, s = { latency: new FixedHistogram(), errors: new Map() });
    s.latency.observe(ms);
    if (errorCode) s.errors.set(errorCode, (s.errors.get(errorCode) ?? 0) + 1);
  }

  /** The timings of one declared route (server/app.ts adds an onResponse hook per route with it). */
  route(method: string, route: string): RouteTimings {
    const r = new RouteTimings(method, route);
    this.routes.push(r);
    return r;
  }

  /** Prometheus text exposition (0.0.4). */
  prometheus(): Promise<string> {
    return this.registry.metrics();
  }
}
