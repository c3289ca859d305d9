package io.kubeincident.testkit.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What other HTTP clients (kubectl, curl) send, on a raw socket: chunked bodies, 100-continue, a watch stream. */
class RawHttpTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private static Socket connect() throws Exception {
        URI u = URI.create(kube.baseUrl());
        Socket s = new Socket(u.getHost(), u.getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private static String statusLine(BufferedReader in) throws Exception {
        String line = in.readLine();
        while (line != null && line.startsWith("HTTP/1.1 100")) {
            in.readLine();
            line = in.readLine();
        }
        return line;
    }

    @Test
    void chunkedBodyAfter100Continue() throws Exception {
        String body = "{\"metadata\":{\"name\":\"raw\"},\"data\":{\"k\":\"v\"}}";
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write(("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertEquals("HTTP/1.1 100 Continue", in.readLine(), "the server invites the body");
            in.readLine();
            out.write((Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertEquals("HTTP/1.1 201 Created", statusLine(in));
        }
    }

    @Test
    void watchStreamsLinesOverPlainHttp() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write("GET /api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=5 HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertEquals("HTTP/1.1 200 OK", statusLine(in));
            String h;
            boolean chunked = false;
            while (!(h = in.readLine()).isEmpty()) chunked |= h.equalsIgnoreCase("Transfer-Encoding: chunked");
            assertTrue(chunked);
            try (Socket w = connect()) {
                String body = "{\"metadata\":{\"name\":\"seen\"}}";
                w.getOutputStream().write(("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                w.getOutputStream().flush();
                assertEquals("HTTP/1.1 201 Created", new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.UTF_8)).readLine());
            }
            in.readLine(); // chunk size
            String event = in.readLine();
            assertTrue(event.startsWith("{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\""), event);
            assertTrue(event.contains("\"name\":\"seen\""), event);
        }
    }
}
