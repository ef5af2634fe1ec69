/**
 * The class-data file that child JVMs start from (parent side), an AppCDS archive or, on JDK 25 and later, an AOT
 * cache: {@code ClassDataArchive} makes it in the background, checks it, and tells {@code launch} when a child may use
 * it.
 */
package io.github.multiproc.internal.cds;
