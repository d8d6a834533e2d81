package io.pgvigil.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TestStorage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shape of every read endpoint's JSON (field names, order, nesting, value types) on a real
 * server in a real stall: an idle holder, an ALTER behind it, readers behind the ALTER, an INVALID
 * index, a configured replica that cannot be reached, a dry-run kill switch in an API window.
 * {@link ApiJsonTest} pins the exact values.
 */
@ExtendWith(PostgresExtension.class)
class ApiJsonIT {

  private static final String TOKEN = "api-json-token";

  @TempDir
  Path dir;

  @Test
  void everyReadEndpointKeepsItsShape(TestPostgres pg) throws Exception {
    try (Connection setup = pg.connect(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)");
      s.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
      s.execute("CREATE TABLE twins (v int)");
      s.execute("INSERT INTO twins VALUES (1), (1)");
      try {
        s.execute("CREATE UNIQUE INDEX CONCURRENTLY twins_v ON twins (v)");
      } catch (SQLException expected) {
        // The failed build leaves twins_v INVALID.
      }
    }
    var config = new ConfigLoader(Map.of()).parse("""
        server: { listen: 127.0.0.1:0, apiToken: %s }
        targets:
          - name: app
            url: "%s"
            replicas: [{ name: ghost, url: "postgresql://nobody@127.0.0.1:1/none" }]
            watch: { interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms }
        rules:
          lockQueue: { warn: 1, abort: 2, for: 0s }
        killSwitch: { mode: dry-run }
        """.formatted(TOKEN, pg.uri()), dir, "config");
    ExecutorService blocked = Executors.newCachedThreadPool();
    List<Connection> sessions = new ArrayList<>();
    try (RunningDaemon daemon = RunningDaemon.start(config, TestStorage.storage(),
        Duration.ofSeconds(1), Clock.systemUTC())) {
      Http http = new Http(daemon.port());
      assertThat(http.post("/api/v1/windows", TOKEN, "{\"target\":\"app\",\"label\":\"deploy\"}").statusCode())
          .isEqualTo(201);
      Connection holder = open(pg, sessions);
      holder.setAutoCommit(false);
      holder.createStatement().execute("UPDATE accounts SET balance = balance + 1 WHERE id = 1");
      Connection alter = open(pg, sessions);
      blocked.submit(() -> alter.createStatement().execute("ALTER TABLE accounts ADD COLUMN note text"));
      for (int i = 0; i < 3; i++) {
        Connection reader = open(pg, sessions);
        blocked.submit(() -> reader.createStatement().executeQuery("SELECT * FROM accounts WHERE id = 1"));
      }
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(
          () -> json(http, "/api/v1/targets/app/locks").getJsonArray("queues").getJsonObject(0).getInteger("depth") == 3
              // A session queued behind the head has its request (mode, relation) read within the lock
              // probe's refresh, not at once (LockProbe): the shape is of a queue whose requests are read.
              && json(http, "/api/v1/targets/app/locks").getJsonArray("queues").getJsonObject(0)
                  .getJsonArray("queued").stream().map(JsonObject.class::cast)
                  .allMatch(q -> q.getString("mode") != null && q.getString("relation") != null)
              && !json(http, "/api/v1/aborts").getJsonArray("aborts").isEmpty()
              && json(http, "/api/v1/targets/app/replication").getJsonArray("replicas").getJsonObject(0)
                  .getString("failingSince") != null);

      JsonObject locks = json(http, "/api/v1/targets/app/locks");
      assertThat(shape(locks)).isEqualTo("{target:s,status:s,serverTime:s,database:s,summary:{waitingSessions:i,"
          + "rootBlockers:i,maxLockWaitSeconds:d,maxQueueDepth:i,maxQueueCostSeconds:d,"
          + "idleInTransactionMaxSeconds:d,ddlMaxSeconds:d,longRunningWrites:i,writeMaxSeconds:d},"
          + "trees:[{root:{pid:i,user:s,applicationName:s,state:s,backendType:s,transactionSeconds:d,"
          + "stateSeconds:d,query:s,waiting:b,backendStart:s},blocked:[{pid:i,user:s,applicationName:s,state:s,"
          + "waitingSeconds:d,locktype:s,mode:s,relation:s,query:s,blockedBy:[i],depth:i}],maxDepth:i}],"
          + "queues:[{pid:i,user:s,applicationName:s,locktype:s,mode:s,relation:s,waitingSeconds:d,query:s,"
          + "blockedBy:[i],depth:i,costSeconds:d,queued:[{pid:i,user:s,applicationName:s,waitingSeconds:d,"
          + "mode:s,relation:s,query:s}],backendStart:s}],ddl:[{pid:i,user:s,applicationName:s,command:s,"
          + "runtimeSeconds:d,transactionSeconds:d,waitEventType:s,waitEvent:s,query:s,progress:null}],"
          + "writes:[],idleInTransaction:[{pid:i,user:s,applicationName:s,idleSeconds:d,transactionSeconds:d,"
          + "blocking:b,query:s}],invalidIndexes:[{schema:s,table:s,index:s}]}");

      JsonObject replication = json(http, "/api/v1/targets/app/replication");
      assertThat(shape(replication)).isEqualTo("{target:s,status:s,at:s,standby:b,replicas:[{name:s,gone:b,"
          + "state:null,syncState:null,clientAddr:null,writeLagSeconds:null,flushLagSeconds:null,"
          + "replayLagSeconds:null,sentLagBytes:null,flushLagBytes:null,replayLagBytes:null,"
          + "replayDelaySeconds:null,replayGapBytes:null,paused:null,inRecovery:null,receiverStatus:null,"
          + "logical:b,configured:b,lastError:s,failingSince:s}],slots:[],"
          + "findings:[{type:s,name:s,lastSeen:null}],notes:[]}");

      assertThat(shape(json(http, "/api/v1/aborts"))).isEqualTo("{aborts:[{at:s,target:s,rule:s,value:d,"
          + "threshold:d,windowId:s,action:s,pid:i,backendStart:s,result:s,message:s,"
          + "request:{pid:i,relation:s,mode:s,queued:i}}]}");
      assertThat(shape(json(http, "/api/v1/windows"))).isEqualTo("{windows:[{id:s,target:s,label:s,profile:s,"
          + "source:s,open:b,openedAt:s,expiresAt:s,backendPid:null,backendStart:null,tool:null,closedAt:null,"
          + "closeReason:null}]}");
      // Which alerts fire first depends on timing; each is the webhook body's alert (alerts/WEBHOOK.md).
      JsonObject alerts = json(http, "/api/v1/alerts");
      assertThat(alerts.fieldNames()).containsExactly("sinks", "firing", "resolved");
      assertThat(alerts.getJsonArray("firing").getJsonObject(0).fieldNames()).containsExactly("key", "target",
          "rule", "object", "severity", "status", "summary", "value", "threshold", "startsAt", "endsAt", "census",
          "details", "silencedBy", "sentTo");
      String target = "{name:s,url:s,up:b,polled:b,since:s,owner:s,ownedHere:b,server:{version:s,major:i,"
          + "standby:b,startedAt:s,"
          + "role:s,pgMonitor:b},checks:[{name:s,ok:b,runs:i,consecutiveFailures:i,lastRun:s,lastDurationMs:d,"
          + "lastSuccess:s,lastError:null}]}";
      assertThat(shape(json(http, "/api/v1/targets"))).isEqualTo("{targets:[" + target + "]}");
      assertThat(shape(json(http, "/api/v1/targets/app"))).isEqualTo(target);
      holder.rollback();
    } finally {
      for (Connection c : sessions) {
        c.close();
      }
      blocked.shutdownNow();
    }
  }

  private static JsonObject json(Http http, String path) {
    return new JsonObject(http.get(path).body());
  }

  /** Keys in order with their value's type (s, i, d, b, null); an array by its first element. */
  private static String shape(Object value) {
    if (value instanceof JsonObject o) {
      return o.fieldNames().stream().map(k -> k + ":" + shape(o.getValue(k)))
          .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof JsonArray a) {
      return a.isEmpty() ? "[]" : "[" + shape(a.getValue(0)) + "]";
    }
    return value == null ? "null" : value instanceof String ? "s" : value instanceof Boolean ? "b"
        : value instanceof Double ? "d" : "i";
  }

  private static Connection open(TestPostgres pg, List<Connection> sessions) throws Exception {
    Connection c = pg.connect();
    sessions.add(c);
    return c;
  }
}
