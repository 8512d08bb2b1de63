package io.ferry.cli;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints results as an aligned table or as JSON. */
final class Printer {
    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Printer() { }

    static void json(PrintWriter out, Object value) {
        out.println(JSON.writeValueAsString(value));
        out.flush();
    }

    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        List<Integer> widths = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            int w = header.get(i).length();
            for (List<String> r : rows) {
                w = Math.max(w, r.get(i) == null ? 1 : r.get(i).length());
            }
            widths.add(w);
        }
        printRow(out, header, widths);
        for (List<String> r : rows) {
            printRow(out, r, widths);
        }
        out.flush();
    }

    private static void printRow(PrintWriter out, List<String> cells, List<Integer> widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i) == null ? "-" : cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(widths.get(i) - c.length() + 2));
            }
        }
        out.println(sb.toString().stripTrailing());
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
