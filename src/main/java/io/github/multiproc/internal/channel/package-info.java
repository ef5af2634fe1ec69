/**
 * Both ends of the authenticated channel between a parent and a child (child side): {@code ChannelProtocol}, the
 * handshake (each end proves with an HMAC over the child's nonce that it knows the child's secret, which never crosses
 * the channel; nothing is deserialized before), computed by {@code HmacSha256}; {@code ChannelListener}, the parent's
 * listening end in the private run directory, which hears every peer that connects at once; {@code ChildChannel},
 * the child's end. The parent hands in its log ({@code ChannelLog}).
 */
package io.github.multiproc.internal.channel;
