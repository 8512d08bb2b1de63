package io.ferry.vault.store;

/** Why a job failed, in the API's error shape. */
public record JobError(String code, String message, String hint) {}
