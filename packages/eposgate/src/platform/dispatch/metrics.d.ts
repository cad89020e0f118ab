export interface CapabilityMetrics {
    capability: string;
    transport: string;
    count: number;
    errors: Record<string, number>;
    meanMs: number;
    p50Ms: number;
    p99Ms: number;
}
export declare class Metrics {
    private readonly series;
    record(capability: string, transport: string, ms: number, errorCode?: string): void;
    snapshot(): CapabilityMetrics[];
    /** Prometheus text exposition. */
    prometheus(): string;
}
