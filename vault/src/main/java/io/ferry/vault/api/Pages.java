package io.ferry.vault.api;

import io.javalin.http.Context;

import java.util.List;
import java.util.function.Function;

/** Cursor pagination over an ordered list: {@code after} is the id of the last item seen. */
final class Pages {
    private Pages() {}

    static <T> Views.Page<T> of(Context ctx, List<T> all, Function<T, String> id) {
        int limit = Requests.limit(ctx);
        String after = ctx.queryParam("after");
        int start = 0;
        if (after != null) {
            start = -1;
            for (int i = 0; i < all.size(); i++) {
                if (id.apply(all.get(i)).equals(after)) {
                    start = i + 1;
                    break;
                }
            }
            if (start < 0) throw ApiException.invalid("cursor 'after=" + after + "' is not an item of this list", "start again without 'after'");
        }
        int end = Math.min(all.size(), start + limit);
        List<T> items = all.subList(start, end);
        String next = end < all.size() && !items.isEmpty() ? id.apply(items.getLast()) : null;
        return new Views.Page<>(List.copyOf(items), next);
    }
}
