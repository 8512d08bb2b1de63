package io.ferry.repository;

/** Whether a recovery point is crash-consistent or application-consistent (guest fs-freeze). */
public enum Consistency {
  CRASH,
  APP
}
