package io.pgvigil.daemon.config;

import io.pgvigil.daemon.tls.PemMaterial;
import io.pgvigil.daemon.tls.TlsContexts;
import io.pgvigil.daemon.tls.TlsSetupException;

/** Reads a URL's certificates and key at config time, so that a bad file is a config error, not a dead target. */
final class TlsFiles {

    private TlsFiles() {}

    /** Whether sslrootcert, sslcert and sslkey can be used; each problem is reported on {@code node}. */
    static boolean usable(TlsSettings tls, ConfigNode node) {
        boolean usable = true;
        try {
            if (tls.rootCert().isPresent()) {
                PemMaterial.certificates(tls.rootCert().get(), "sslrootcert");
            }
        } catch (TlsSetupException e) {
            node.problem(e.getMessage());
            usable = false;
        }
        try {
            TlsContexts.keyManager(tls);
        } catch (TlsSetupException e) {
            node.problem(e.getMessage());
            usable = false;
        }
        return usable;
    }
}
