package io.pgvigil.daemon.config;

import io.pgvigil.daemon.tls.SslMode;
import io.pgvigil.daemon.tls.TlsSettings;
import java.util.List;
import java.util.Map;

/** The query parameters a {@link DatabaseUrl} may carry: libpq's TLS parameters, with libpq's meaning. */
final class UrlParameters {

    /** {@code password} is taken as the URL's password. */
    static final List<String> KNOWN = List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "password");

    private UrlParameters() {}

    /**
     * Anything but libpq's TLS parameters is refused: an unknown parameter used to travel to the
     * server as a startup parameter, where a typo (sslmod=require) silently meant no TLS.
     */
    static void validate(Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!KNOWN.contains(key)) {
                String shown = key.matches("[A-Za-z0-9_.-]{1,40}") ? "'" + key + "'" : "a parameter";
                throw new DatabaseUrl.InvalidUrlException("has unknown parameter " + shown
                        + ConfigNode.closest(key, KNOWN).map(s -> "; did you mean '" + s + "'?").orElse("")
                        + " (known parameters: " + String.join(", ", KNOWN) + ")");
            }
        }
        String mode = params.get("sslmode");
        if (mode != null && SslMode.fromLibpq(mode).isEmpty()) {
            String shown = mode.matches("[A-Za-z0-9_-]{1,20}") ? "'" + mode + "'" : "the value";
            throw new DatabaseUrl.InvalidUrlException("has sslmode " + shown + "; use one of " + String.join(", ", SslMode.names()));
        }
        for (String file : List.of("sslrootcert", "sslcert", "sslkey")) {
            if (params.containsKey(file) && params.get(file).isBlank()) {
                throw new DatabaseUrl.InvalidUrlException("has an empty " + file + "; give a PEM file path or remove it");
            }
        }
        if (params.containsKey("sslcert") != params.containsKey("sslkey")) {
            throw new DatabaseUrl.InvalidUrlException("has " + (params.containsKey("sslcert") ? "sslcert without sslkey" : "sslkey without sslcert")
                    + "; a client certificate needs both the certificate (sslcert) and its private key (sslkey)");
        }
        if ("verify-ca".equals(mode) && !params.containsKey("sslrootcert")) {
            // libpq refuses it too: the JDK's public CAs vouch for anyone's own domain, and verify-ca
            // never checks that the certificate names this host.
            throw new DatabaseUrl.InvalidUrlException("has sslmode=verify-ca without sslrootcert; give sslrootcert (the"
                    + " PEM of the CA that signs the server's certificate), or use sslmode=verify-full&sslrootcert=system"
                    + " to trust the system's CAs with the host name checked");
        }
        if (TlsSettings.SYSTEM_ROOT_CERT.equals(params.get("sslrootcert"))
                && !SslMode.fromLibpq(mode == null ? "" : mode).filter(SslMode::verifiesHost).isPresent()) {
            throw new DatabaseUrl.InvalidUrlException("has sslrootcert=system without sslmode=verify-full; as in libpq, the"
                    + " system's CAs vouch for any public host name, so the host name must be checked too");
        }
        if (mode != null && !SslMode.fromLibpq(mode).orElseThrow().usesTls()
                && (params.containsKey("sslrootcert") || params.containsKey("sslcert"))) {
            throw new DatabaseUrl.InvalidUrlException("has sslmode=disable together with TLS files; remove them or choose another sslmode");
        }
    }
}
