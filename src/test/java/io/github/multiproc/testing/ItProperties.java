package io.github.multiproc.testing;

/** The system properties the pom gives the integration tests ({@code maven-failsafe-plugin}'s configuration). */
public final class ItProperties {
    private ItProperties() {
    }

    /**
     * Returns a property the pom sets for the ITs.
     *
     * @param key for example {@code "multiproc.it.jar"}
     * @return its value, trimmed
     * @throws AssertionError if it is not set, as when an IT is run outside {@code mvn verify}
     */
    public static String get(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new AssertionError("system property " + key + " is not set: run the integration tests with "
                    + "`mvn verify`, which passes it (maven-failsafe-plugin in pom.xml)");
        }
        return value.trim();
    }
}
