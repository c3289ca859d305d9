package io.kubeincident.argocd.client;

import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/** TLS set-up for the client: the JDK's trust store, a custom CA, or (development only) no verification. */
final class Tls {
    private static final Logger LOG = LoggerFactory.getLogger(Tls.class);

    private Tls() {
    }

    static void trustCa(OkHttpClient.Builder builder, Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new IllegalArgumentException("argocd.ca_file: no certificate in " + caFile);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) store.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            X509TrustManager tm = x509(tmf.getTrustManagers());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{tm}, null);
            builder.sslSocketFactory(ctx.getSocketFactory(), tm);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("argocd.ca_file: cannot load " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** Accepts any certificate and host name. Only behind the explicit {@code argocd.insecure} switch. */
    static void insecure(OkHttpClient.Builder builder, String server) {
        LOG.warn("argocd.insecure is on: TLS certificates of {} are NOT verified; use argocd.ca_file outside development",
                server);
        X509TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{trustAll}, null);
            builder.sslSocketFactory(ctx.getSocketFactory(), trustAll);
            builder.hostnameVerifier((host, session) -> true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    private static X509TrustManager x509(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) return x;
        }
        throw new IllegalStateException("no X509TrustManager available");
    }
}
