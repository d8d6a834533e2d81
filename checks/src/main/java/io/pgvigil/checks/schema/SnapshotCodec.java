package io.pgvigil.checks.schema;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot as bytes and back, for the expected schemas kept on disk between runs: every field of every object,
 * strings as UTF-8 after their length, kinds by name. The caller frames and checksums the bytes; a stream that
 * ends early, holds an unknown kind or a count larger than what is left fails with an {@link IOException}, never a
 * partial snapshot. Read from an in-memory stream ({@code available()} is what is left).
 */
public final class SnapshotCodec {

  private static final int VERSION = 1;

  private SnapshotCodec() {}

  public static void write(SchemaSnapshot snapshot, OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(VERSION);
    out.writeInt(snapshot.serverVersionNum());
    out.writeInt(snapshot.queries());
    out.writeInt(snapshot.objects().size());
    for (CatalogObject object : snapshot.objects().values()) {
      writeRef(out, object.ref());
      out.writeInt(object.owners().size());
      for (ObjectRef owner : object.owners()) {
        writeRef(out, owner);
      }
      writeNullable(out, object.sqlName());
      out.writeInt(object.attributes().size());
      for (Map.Entry<String, String> attribute : object.attributes().entrySet()) {
        writeString(out, attribute.getKey());
        writeString(out, attribute.getValue());
      }
      out.writeInt(object.position());
    }
    out.flush();
  }

  public static SchemaSnapshot read(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("snapshot format " + version + ", expected " + VERSION);
    }
    int serverVersionNum = in.readInt();
    int queries = in.readInt();
    int count = count(in);
    TreeMap<ObjectRef, CatalogObject> objects = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      ObjectRef ref = readRef(in);
      int ownerCount = count(in);
      List<ObjectRef> owners = new ArrayList<>();
      for (int o = 0; o < ownerCount; o++) {
        owners.add(readRef(in));
      }
      String sqlName = readNullable(in);
      int attributeCount = count(in);
      Map<String, String> attributes = new LinkedHashMap<>();
      for (int a = 0; a < attributeCount; a++) {
        attributes.put(readString(in), readString(in));
      }
      objects.put(ref, new CatalogObject(ref, owners, sqlName, attributes, in.readInt()));
    }
    return new SchemaSnapshot(serverVersionNum, objects, queries);
  }

  /** A count or length, never more than the bytes left (each item takes at least one): no allocation on its word. */
  private static int count(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > in.available()) {
      throw new IOException("count " + count + " with " + in.available() + " bytes left");
    }
    return count;
  }

  private static void writeRef(DataOutputStream out, ObjectRef ref) throws IOException {
    out.writeUTF(ref.kind().yamlName());
    writeString(out, ref.qualifiedName());
  }

  private static ObjectRef readRef(DataInputStream in) throws IOException {
    String kind = in.readUTF();
    try {
      return new ObjectRef(ObjectKind.fromYaml(kind), readString(in));
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static void writeNullable(DataOutputStream out, String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      writeString(out, value);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? readString(in) : null;
  }

  /** Length-prefixed UTF-8: writeUTF stops at 64 KB, and a function body or view definition may be longer. */
  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = count(in);
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new IOException("truncated");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
