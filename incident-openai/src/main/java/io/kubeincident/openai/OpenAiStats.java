package io.kubeincident.openai;

/**
 * Counters of one {@link OpenAiAnalyzer} since it was built, for metrics (a host binds them to its meter
 * registry). Tokens are as the server reported them.
 *
 * @param analyses         calls to {@code analyze}
 * @param diagnosed        accepted answers (cache hits included)
 * @param failed           HTTP errors, timeouts, malformed, cut-off, refused and rejected answers (each also
 *                         counts towards opening the circuit)
 * @param declined         budget, concurrency or circuit refusals
 * @param cacheHits        answers served from the cache
 * @param invalidAnswers   answers rejected by validation (part of {@code failed})
 * @param promptTokens     prompt tokens spent
 * @param completionTokens completion tokens spent
 * @param cachedTokens     prompt tokens the server served from its prompt cache
 * @param tokensToday      tokens charged to today's (UTC) budget
 * @param circuit          {@code closed}, {@code open}, {@code half_open}, or {@code disabled} after a configuration
 *                         error (401, 403, unknown model) until the configuration changes
 */
public record OpenAiStats(long analyses, long diagnosed, long failed, long declined, long cacheHits,
                          long invalidAnswers, long promptTokens, long completionTokens, long cachedTokens,
                          long tokensToday, String circuit) {
}
