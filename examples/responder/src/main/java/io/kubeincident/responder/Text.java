package io.kubeincident.responder;

import java.io.PrintStream;
import java.util.List;

/** Plain-text helpers for human output. */
final class Text {
    private Text() {
    }

    /** Left-aligned columns, two spaces apart; the first row is the header. */
    static void table(List<String[]> rows, PrintStream out) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], r[i] == null ? 0 : r[i].length());
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String cell = r[i] == null ? "" : r[i];
                sb.append(cell);
                if (i < cols - 1) sb.append(" ".repeat(width[i] - cell.length() + 2));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static String truncate(String s, int max) {
        if (s == null) return "";
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, Math.max(0, max - 1)) + "…";
    }
}
