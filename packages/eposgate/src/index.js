// eposgate as a library: start the platform in-process (the CLI's `serve` does the same).
export { startPlatform, DEFAULTS } from "./platform/platform.js";
