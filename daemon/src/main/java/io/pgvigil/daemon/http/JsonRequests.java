package io.pgvigil.daemon.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The JSON object a mutating endpoint is sent, and the words its 4xx answers use. */
final class JsonRequests {

  private JsonRequests() {}

  /**
   * The request's JSON object; null once a 415 (not JSON) or 400 (not an object) has been answered.
   *
   * @param example a full body, for the message when the body is not an object
   * @param minimal the least body there is, for the message when there is none
   */
  static JsonObject object(RoutingContext ctx, String example, String minimal) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (!isJson(contentType)) {
      ApiServer.error(ctx, 415, "the body must be JSON sent with 'Content-Type: application/json'"
          + (contentType == null ? " (no Content-Type was given)"
              : " (the Content-Type was '" + contentType + "')"));
      return null;
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      ApiServer.error(ctx, 400, "the body must be a JSON object such as " + example);
      return null;
    }
    if (body == null) {
      ApiServer.error(ctx, 400, "a JSON body is required: " + minimal);
    }
    return body;
  }

  /** {@code application/json}, in any case, with or without parameters such as a charset. */
  private static boolean isJson(String contentType) {
    return contentType != null
        && contentType.split(";", 2)[0].strip().equalsIgnoreCase("application/json");
  }

  /** A JSON value that is not what a field wants, as "the number 5", "a list". */
  static String describe(Object value) {
    if (value instanceof Number || value instanceof Boolean) {
      return (value instanceof Number ? "the number " : "the boolean ") + value;
    }
    return value instanceof JsonObject ? "an object" : value instanceof JsonArray ? "a list"
        : "a " + value.getClass().getSimpleName();
  }
}
