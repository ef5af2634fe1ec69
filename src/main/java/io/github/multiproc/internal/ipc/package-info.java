/**
 * Objects shared by processes (child side, since task children and pool workers use them): the engines of {@code
 * ProcessQueue}, {@code Pipe}, {@code ProcessEvent}, {@code ProcessLock}, {@code SharedLongArray} and {@code
 * SharedMemory}. Each object is a {@code Segment}, a memory-mapped file made by {@code SegmentFiles} in {@code
 * /dev/shm} (mode 0600, so only this user's processes can map it), whose words are read and changed through {@code
 * VarHandle}s. Locks are {@code LockWord}s naming the holder's pid and start, taken over when the holder is gone;
 * queues and pipes are {@code ByteRing}s under such a lock; waiting is a {@code Waiter}'s spin, yield and bounded park,
 * or for a pipe's receiver waiting for an answer a sleep on a {@code Doorbell} (a FIFO the sender writes a byte into,
 * with this JVM's {@code Alarm} thread for deadlines). {@code OwnerWatch} marks objects whose creator ended; {@code
 * AccessWarmUp} gets the word operations compiled in a JVM that receives an object. Uses only the JDK and {@code os}.
 */
package io.github.multiproc.internal.ipc;
