package io.kubeincident.testkit.scenario;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Deterministic names as controllers make them: {@code pod-template-hash} and pod suffixes. */
public final class Names {

    /** The alphabet Kubernetes uses for generated suffixes (no vowels, no look-alikes). */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private Names() {
    }

    /** A 10-character {@code pod-template-hash} of {@code template} (stable for equal templates). */
    public static String templateHash(V1PodTemplateSpec template) {
        V1PodTemplateSpec copy = JSON.deserialize(JSON.serialize(template), V1PodTemplateSpec.class);
        // The hash label itself must not change the hash.
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            copy.getMetadata().getLabels().remove("pod-template-hash");
        }
        return encode(JSON.serialize(copy), 10);
    }

    /** A 5-character suffix derived from {@code seed}, as in {@code web-7d4b9c8f6d-x2k9p}. */
    public static String suffix(String seed) {
        return encode(seed, 5);
    }

    private static String encode(String seed, int length) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) sb.append(ALPHABET.charAt((d[i] & 0xff) % ALPHABET.length()));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
