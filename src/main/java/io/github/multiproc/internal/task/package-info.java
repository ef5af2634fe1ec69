/**
 * Tasks as a child runs them (child side): {@code TaskCall}, the one shape a child calls; {@code Calls}, the adapters
 * from the user's callables, runnables and functions (with chunks for {@code map} and {@code starmap});
 * {@code TaskPayload}, which serializes a task on the caller's thread and names what cannot be serialized;
 * {@code RemoteThrowable}, the stand-in for an exception that cannot travel.
 */
package io.github.multiproc.internal.task;
