package io.ferry.lab;

/** A lab VM did not do what a test waited for; the message names the VM and shows its console tail. */
public final class LabVmException extends RuntimeException {
    public LabVmException(String message) {
        super(message);
    }
}
