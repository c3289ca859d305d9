package io.kubeincident.responder;

import io.kubeincident.responder.config.ResponderConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** The configuration file and prompts: shared by every command. */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration YAML (monitoring.*, remediation.*, safety.*, llm.*, argocd.*, ...)")
    Path config;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "LLM prompts YAML (default: prompts.yaml next to --config, when present)")
    Path prompts;

    ResponderConfig load(Map<String, String> env, Map<String, String> overrides) {
        return ResponderConfig.load(config, prompts, env, overrides).validated();
    }
}
