package io.ferry.orchestrator.lifecycle;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An explicit table of (state, event) → next state. Anything not in the table is refused.
 *
 * @param <S> the state enum
 * @param <E> the event enum
 */
public final class TransitionTable<S extends Enum<S>, E extends Enum<E>> {
    private final Class<E> eventType;
    private final Map<S, Map<E, S>> rows;

    private TransitionTable(Class<E> eventType, Map<S, Map<E, S>> rows) {
        this.eventType = eventType;
        this.rows = rows;
    }

    public static <S extends Enum<S>, E extends Enum<E>> Builder<S, E> builder(Class<S> states, Class<E> events) {
        return new Builder<>(states, events);
    }

    /** The next state, or empty if {@code event} is not allowed in {@code state}. */
    public Optional<S> next(S state, E event) {
        return Optional.ofNullable(rows.get(state).get(event));
    }

    /** The events allowed in {@code state}. */
    public Set<E> allowed(S state) {
        Set<E> out = EnumSet.noneOf(eventType);
        out.addAll(rows.get(state).keySet());
        return Collections.unmodifiableSet(out);
    }

    /** Builds a table row by row; a (state, event) pair may appear once. */
    public static final class Builder<S extends Enum<S>, E extends Enum<E>> {
        private final Class<E> events;
        private final Map<S, Map<E, S>> rows;

        private Builder(Class<S> states, Class<E> events) {
            this.events = events;
            this.rows = new EnumMap<>(states);
            for (S s : states.getEnumConstants()) {
                rows.put(s, new EnumMap<>(events));
            }
        }

        public Builder<S, E> on(S from, E event, S to) {
            if (rows.get(from).putIfAbsent(event, to) != null) {
                throw new IllegalStateException("transition " + from + " --" + event + "--> defined twice");
            }
            return this;
        }

        public TransitionTable<S, E> build() {
            Map<S, Map<E, S>> frozen = new EnumMap<>(rows);
            frozen.replaceAll((s, m) -> Collections.unmodifiableMap(new EnumMap<>(m)));
            return new TransitionTable<>(events, Collections.unmodifiableMap(frozen));
        }
    }
}
