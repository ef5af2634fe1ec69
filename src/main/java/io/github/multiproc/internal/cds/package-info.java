/**
 * The class-data (AppCDS) archive that child JVMs start from (parent side): {@code ClassDataArchive} makes it in the
 * background, checks it, and tells {@code launch} when a child may use it.
 */
package io.github.multiproc.internal.cds;
