/**
 * Both ends of the authenticated channel between a parent and a child (child side): {@code ChannelProtocol}, the
 * handshake (the child sends its secret, the parent compares it in constant time and answers with settings; nothing
 * is deserialized before); {@code ChannelListener}, the parent's listening end in the private run directory;
 * {@code ChildChannel}, the child's end. The parent hands in its log ({@code ChannelLog}) and its timer.
 */
package io.github.multiproc.internal.channel;
