package io.kubeincident.api;

import java.util.regex.Pattern;

/** Checks for the kebab-case ids that providers, incident types and action types use. */
public final class Ids {
    private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private Ids() {
    }

    /** Returns {@code id} when it is kebab-case, else throws naming {@code what}. */
    public static String requireKebab(String id, String what) {
        if (id == null || !KEBAB.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " must be kebab-case (a-z, 0-9, '-'), was: " + id);
        }
        return id;
    }

    public static boolean isKebab(String id) {
        return id != null && KEBAB.matcher(id).matches();
    }
}
