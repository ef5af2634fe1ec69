/**
 * The library's JVM-wide state on the parent side: {@code Settings}, the system properties it reads, and
 * {@code LibraryTimer}, its one timer thread.
 */
package io.github.multiproc.internal.runtime;
