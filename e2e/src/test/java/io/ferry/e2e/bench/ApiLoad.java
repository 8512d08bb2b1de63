package io.ferry.e2e.bench;

import io.ferry.cli.remote.VaultClient;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * K concurrent API clients, each a virtual thread with its own {@link HttpClient} (HTTP/1.1 over
 * TLS, one kept-alive connection, the vault's CA trusted, bearer token), sending one GET after
 * the other for a fixed time. Every latency is kept; the connection is opened (TLS handshake)
 * before the clock starts.
 */
final class ApiLoad {
    record Result(String path, int clients, double seconds, long requests, long errors, long bytes, double[] latencyMs,
                  String firstError) {
        double perSecond() { return requests / seconds; }
        double p(double q) { return Table.percentile(latencyMs, q); }
        double max() { return latencyMs.length == 0 ? Double.NaN : latencyMs[latencyMs.length - 1]; }
        double meanBytes() { return requests == 0 ? Double.NaN : (double) bytes / requests; }
    }

    private final URI vault;
    private final String token;
    private final SSLContext ssl;

    ApiLoad(URI vault, String token, String caPem) {
        this.vault = vault;
        this.token = token;
        this.ssl = VaultClient.trusting(caPem);
    }

    /** {@code path} is the full path, e.g. {@code /api/v1/jobs}. */
    Result run(String path, int clients, Duration duration) throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(vault.resolve(path)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) rb.header("Authorization", "Bearer " + token);
        HttpRequest request = rb.build();
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong deadline = new AtomicLong();
        List<Future<long[]>> futures = new ArrayList<>();
        long[] errors = new long[clients];
        long[] bytes = new long[clients];
        String[] firstError = new String[1];
        long started, ended;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                int me = i;
                futures.add(ex.submit(() -> {
                    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                            .connectTimeout(Duration.ofSeconds(10)).build()) {
                        try {
                            http.send(request, HttpResponse.BodyHandlers.discarding()); // TLS handshake, warm connection
                        } catch (Exception e) {
                            synchronized (firstError) { if (firstError[0] == null) firstError[0] = e.toString(); }
                        }
                        ready.countDown();
                        go.await();
                        long[] lat = new long[1024];
                        int n = 0;
                        long end = deadline.get();
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            try {
                                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                                long t1 = System.nanoTime();
                                if (r.statusCode() != 200) {
                                    errors[me]++;
                                    synchronized (firstError) { if (firstError[0] == null) firstError[0] = "HTTP " + r.statusCode(); }
                                    continue;
                                }
                                bytes[me] += r.body().length;
                                if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                                lat[n++] = t1 - t0;
                            } catch (Exception e) {
                                errors[me]++;
                                synchronized (firstError) { if (firstError[0] == null) firstError[0] = e.toString(); }
                            }
                        }
                        return Arrays.copyOf(lat, n);
                    }
                }));
            }
            ready.await();
            started = System.nanoTime();
            deadline.set(started + duration.toNanos());
            go.countDown();
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> f : futures) all.add(f.get());
            ended = System.nanoTime();
            int total = all.stream().mapToInt(a -> a.length).sum();
            double[] ms = new double[total];
            int k = 0;
            for (long[] a : all) for (long v : a) ms[k++] = v / 1e6;
            Arrays.sort(ms);
            return new Result(path, clients, (ended - started) / 1e9, total, Arrays.stream(errors).sum(),
                    Arrays.stream(bytes).sum(), ms, firstError[0]);
        }
    }

    /** The body of one GET (e.g. /metrics), or null on failure. */
    String text(String path) {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build()) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(vault.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
            if (token != null) rb.header("Authorization", "Bearer " + token);
            HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * [count, sum seconds] of the vault's {@code ferry_api_requests} timer for POST requests from
     * its Prometheus scrape: during the benchmark the only POSTs are the agents' heartbeats.
     */
    double[] postTimer() {
        String m = text("/metrics");
        double count = 0, sum = 0;
        if (m == null) return new double[] {Double.NaN, Double.NaN};
        for (String line : m.split("\n")) {
            if (line.startsWith("#") || !line.contains("method=\"POST\"")) continue;
            String v = line.substring(line.lastIndexOf(' ') + 1);
            if (line.startsWith("ferry_api_requests_seconds_count")) count += Double.parseDouble(v);
            else if (line.startsWith("ferry_api_requests_seconds_sum")) sum += Double.parseDouble(v);
        }
        return new double[] {count, sum};
    }
}
