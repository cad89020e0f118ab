// `eposgate/sdk`: kept for code written before the SDK became its own package.
export * from '@eposgate/sdk';
