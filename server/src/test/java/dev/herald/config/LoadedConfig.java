package dev.herald.config;

import java.util.List;
import java.util.Map;

/** The configuration tests' one way to load: command-line arguments over a given environment. */
final class LoadedConfig {
  private LoadedConfig() {}

  static HeraldConfig load(Map<String, String> env, String... args) {
    return ConfigLoader.load(ConfigLoader.parseArgs(List.of(args)), env);
  }
}
