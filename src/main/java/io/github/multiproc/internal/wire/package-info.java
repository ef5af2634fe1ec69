/**
 * Frames and codecs (child side): the framing of a task channel ({@code Frame}, {@code FrameIO}), the compact
 * object streams that keep one serialization stream per connection, plain values that need no serialization, and
 * {@code PackedList}, a list of numbers or short strings written as raw values. Uses only the JDK.
 */
package io.github.multiproc.internal.wire;
