export { type Config, ConfigError, DEFAULT_CONFIG, loadConfig, positionals } from "./config.ts";
