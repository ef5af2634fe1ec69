/**
 * The one place that builds a child JVM's command line (parent side): {@code LaunchCommand}, for task children,
 * pool workers, standby children and the class-data archive's helper JVMs.
 */
package io.github.multiproc.internal.launch;
