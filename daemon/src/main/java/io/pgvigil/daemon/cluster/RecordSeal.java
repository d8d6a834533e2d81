package io.pgvigil.daemon.cluster;

import io.pgvigil.common.SecretValue;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC on every shared record when {@code server.cluster.secret} is set: HMAC-SHA256 over the map's name, the
 * record's key and its content (keys sorted, so that a copy that went through the event bus or Hazelcast checks the
 * same), with a key derived from the secret. Whoever reaches the cluster's ports without the secret can then neither
 * forge a record (a silence that hides pages, a window that arms the kill switch) nor move one to another key or map.
 * It does not hide anything: records hold no secret (see the README, "High availability").
 */
public final class RecordSeal {

  static final String MAC = "mac";
  private static final String ALGORITHM = "HmacSHA256";
  /** What the key is derived for, so that the secret itself is never the key of anything else pgvigil signs. */
  private static final String PURPOSE = "pgvigil shared records v1";
  private static final RecordSeal NONE = new RecordSeal(Optional.empty());

  private final Optional<SecretKeySpec> key;

  private RecordSeal(Optional<SecretKeySpec> key) {
    this.key = key;
  }

  /** Records go out as they are and every record is taken: a cluster without {@code server.cluster.secret}. */
  public static RecordSeal none() {
    return NONE;
  }

  public static RecordSeal of(SecretValue secret) {
    byte[] derived = hmac(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM),
        PURPOSE.getBytes(StandardCharsets.UTF_8));
    return new RecordSeal(Optional.of(new SecretKeySpec(derived, ALGORITHM)));
  }

  public boolean authenticates() {
    return key.isPresent();
  }

  /** The entry with its MAC (replacing any it had); the entry itself unchanged without a secret. */
  JsonObject seal(String map, String recordKey, JsonObject entry) {
    if (key.isEmpty()) {
      return entry;
    }
    JsonObject sealed = entry.copy();
    sealed.remove(MAC);
    return sealed.put(MAC, Base64.getEncoder().encodeToString(mac(map, recordKey, sealed)));
  }

  /** Whether the entry carries the right MAC for that map and key; always true without a secret. */
  boolean verify(String map, String recordKey, JsonObject entry) {
    if (key.isEmpty()) {
      return true;
    }
    if (!(entry.getValue(MAC) instanceof String given)) {
      return false;
    }
    byte[] claimed;
    try {
      claimed = Base64.getDecoder().decode(given);
    } catch (IllegalArgumentException e) {
      return false;
    }
    JsonObject content = entry.copy();
    content.remove(MAC);
    return MessageDigest.isEqual(claimed, mac(map, recordKey, content));
  }

  private byte[] mac(String map, String recordKey, JsonObject content) {
    byte[] name = map.getBytes(StandardCharsets.UTF_8);
    byte[] k = recordKey.getBytes(StandardCharsets.UTF_8);
    byte[] body = canonical(content).getBytes(StandardCharsets.UTF_8);
    // Lengths first: ("ab", "c") and ("a", "bc") must not sign the same bytes.
    ByteBuffer message = ByteBuffer.allocate(8 + name.length + k.length + body.length);
    message.putInt(name.length).put(name).putInt(k.length).put(k).put(body);
    return hmac(key.orElseThrow(), message.array());
  }

  private static byte[] hmac(SecretKeySpec key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      // Every Java runtime has HmacSHA256 (it is one of the algorithms the platform must support).
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }

  /** The JSON text with every object's keys sorted: what a receiver rebuilds whatever order the fields came in. */
  static String canonical(Object value) {
    if (value instanceof JsonObject o) {
      Map<String, Object> sorted = new TreeMap<>();
      o.forEach(e -> sorted.put(e.getKey(), e.getValue()));
      StringJoiner out = new StringJoiner(",", "{", "}");
      sorted.forEach((k, v) -> out.add(Json.encode(k) + ":" + canonical(v)));
      return out.toString();
    }
    if (value instanceof JsonArray a) {
      StringJoiner out = new StringJoiner(",", "[", "]");
      a.forEach(v -> out.add(canonical(v)));
      return out.toString();
    }
    return Json.encode(value);
  }
}
