package io.github.multiproc.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The handshake's own HMAC-SHA-256 gives what the JDK's providers give. */
final class HmacSha256Test {

    @Test
    void mac_rfc4231TestCase2_matchesPublishedValue() {
        byte[] mac = HmacSha256.mac("Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want ".getBytes(StandardCharsets.US_ASCII),
                "for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(mac))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void mac_keysAndMessagesOfEveryLengthAroundABlock_matchJdkMac() throws Exception {
        Random random = new Random(42);
        Mac jdk = Mac.getInstance("HmacSHA256");
        for (int keyLength : new int[] {1, 32, 63, 64, 65, 200}) {
            for (int length = 0; length <= 200; length++) {
                byte[] key = new byte[keyLength];
                byte[] message = new byte[length];
                random.nextBytes(key);
                random.nextBytes(message);
                jdk.init(new SecretKeySpec(key, "HmacSHA256"));
                byte[] expected = jdk.doFinal(message);
                byte[] head = Arrays.copyOf(message, length / 3);
                byte[] tail = Arrays.copyOfRange(message, length / 3, length);
                assertThat(HmacSha256.mac(key, head, tail)).as("key %d, message %d", keyLength, length)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void sha256_messagesOfEveryLengthAroundTwoBlocks_matchJdkDigest() throws Exception {
        Random random = new Random(7);
        MessageDigest jdk = MessageDigest.getInstance("SHA-256");
        for (int length = 0; length <= 130; length++) {
            byte[] message = new byte[length];
            random.nextBytes(message);
            assertThat(HmacSha256.sha256(message)).as("length %d", length).isEqualTo(jdk.digest(message));
        }
    }

    @Test
    void equal_sameAndDifferentArrays_comparedByContent() {
        byte[] a = {1, 2, 3};
        assertThat(HmacSha256.equal(a, new byte[] {1, 2, 3})).isTrue();
        assertThat(HmacSha256.equal(a, new byte[] {1, 2, 4})).isFalse();
        assertThat(HmacSha256.equal(a, new byte[] {1, 2})).isFalse();
    }
}
