/*
 * mock_cluster: hosts librdkafka's mock cluster (librdkafka's in-process Kafka broker, written to
 * test librdkafka itself) for sluice's integration tests, and lets a test drive its fault
 * injection over stdin. Written against rdkafka_mock.h of librdkafka 2.8.0.
 *
 *   mock_cluster [--brokers N] [--topic NAME:PARTITIONS]... [--log]
 *
 *   --brokers N               brokers with ids 1..N (default 3)
 *   --topic NAME:PARTITIONS   create a topic up front (replication factor min(3, N)); repeatable
 *   --log                     librdkafka's mock debug log on stderr (quiet otherwise)
 *
 * Protocol: prints exactly one line `BOOTSTRAP host:port,...` on stdout, then reads one command
 * per line on stdin and answers each with `OK` (possibly after output lines) or `ERR <reason>`,
 * flushing after every line. Exits with status 0 on EOF or `quit` (answered `OK`), so a test
 * process that dies takes its cluster with it. Arguments are separated by spaces or tabs.
 *
 * Commands (error codes are Kafka error codes, e.g. 6 NOT_LEADER_OR_FOLLOWER, 7
 * REQUEST_TIMED_OUT; -195 is librdkafka's RD_KAFKA_RESP_ERR__TRANSPORT, which makes the mock
 * close the connection instead of answering; api keys are Kafka ApiKeys, e.g. 0 Produce, 3
 * Metadata, 18 ApiVersions, 22 InitProducerId):
 *   ping
 *   topic_create <topic> <partitions> [rf]           rf defaults to min(3, N); the mock ignores it
 *   broker_down <id> | broker_up <id>                listener closed / reopened, same port;
 *                                                    leadership does not move; -1: all brokers
 *   leader <topic> <partition> <broker_id>           -1: no leader
 *   follower <topic> <partition> <broker_id>         preferred read replica
 *   errors <apikey> <code> [<code> ...]              cluster-wide error stack: the next requests
 *                                                    with that api key (any broker) fail in order
 *   broker_errors <broker_id> <apikey> <code>:<rtt_ms> [...]
 *                                                    per-broker stack, answered after rtt_ms;
 *                                                    code 0 just delays; takes precedence over
 *                                                    the cluster-wide stack
 *   clear_errors <apikey>                            empties the cluster-wide stack
 *   rtt <broker_id> <ms>                             delays every response; -1: all brokers
 *   apiversion <apikey> <min> <max>                  advertised/accepted range; -1 -1 disables
 *   topic_error <topic> <code>                       returned for the topic in Metadata
 *   coordinator <transaction|group> <key> <broker_id>
 *   track_start | track_stop | track_clear           request tracking; start and stop both
 *                                                    clear the list (librdkafka 2.8.0, whatever
 *                                                    rdkafka_mock.h says): read it before stop
 *   requests                                         one `REQ <broker_id> <apikey> <timestamp_us>`
 *                                                    line per tracked request, then OK
 *   quit
 */
#define _POSIX_C_SOURCE 200809L /* getline, strtok_r */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdkafka.h"
#include "rdkafka_mock.h"

static rd_kafka_mock_cluster_t *mcluster;
static long broker_count = 3;
/* Filled by fail(); run() returns it. One command runs at a time, so one buffer suffices. */
static char reason[512];

static const char *fail(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        return reason;
}

/* Parses a whole decimal integer within [min, max]; returns 0 (and leaves *out alone) otherwise. */
static int parse_long(const char *text, long min, long max, long *out) {
        char *end;
        long value;
        errno = 0;
        value = strtol(text, &end, 10);
        if (errno != 0 || end == text || *end != '\0' || value < min || value > max) return 0;
        *out = value;
        return 1;
}

/* Shorthands for the argument kinds the mock API takes. */
#define API_KEY(text, out) parse_long(text, 0, INT16_MAX, out)
#define BROKER(text, out) parse_long(text, -1, INT32_MAX, out)
#define CODE(text, out) parse_long(text, INT_MIN, INT_MAX, out)

static const char *mock_err(rd_kafka_resp_err_t err) {
        if (!err) return NULL;
        return fail("%s (%d)", rd_kafka_err2str(err), (int)err);
}

/* Runs one command; returns NULL on success or the reason for ERR. */
static const char *run(int argc, char **argv) {
        const char *cmd = argv[0];
        long a, b, c;

        if (!strcmp(cmd, "ping") && argc == 1) return NULL;

        if (!strcmp(cmd, "topic_create") && (argc == 3 || argc == 4)) {
                b = broker_count < 3 ? broker_count : 3;
                if (!parse_long(argv[2], 1, INT32_MAX, &a))
                        return fail("partitions must be a positive integer: got \"%s\"", argv[2]);
                if (argc == 4 && !parse_long(argv[3], 1, INT16_MAX, &b))
                        return fail("replication factor must be a positive integer: got \"%s\"", argv[3]);
                return mock_err(rd_kafka_mock_topic_create(mcluster, argv[1], (int)a, (int)b));
        }
        if ((!strcmp(cmd, "broker_down") || !strcmp(cmd, "broker_up")) && argc == 2) {
                if (!BROKER(argv[1], &a)) return fail("broker id must be an integer: got \"%s\"", argv[1]);
                return mock_err(!strcmp(cmd, "broker_down")
                                    ? rd_kafka_mock_broker_set_down(mcluster, (int32_t)a)
                                    : rd_kafka_mock_broker_set_up(mcluster, (int32_t)a));
        }
        if ((!strcmp(cmd, "leader") || !strcmp(cmd, "follower")) && argc == 4) {
                if (!parse_long(argv[2], 0, INT32_MAX, &a) || !BROKER(argv[3], &b))
                        return fail("partition and broker id must be integers: got \"%s\" \"%s\"", argv[2],
                                    argv[3]);
                return mock_err(!strcmp(cmd, "leader")
                                    ? rd_kafka_mock_partition_set_leader(mcluster, argv[1], (int32_t)a, (int32_t)b)
                                    : rd_kafka_mock_partition_set_follower(mcluster, argv[1], (int32_t)a,
                                                                           (int32_t)b));
        }
        if (!strcmp(cmd, "errors") && argc >= 3) {
                rd_kafka_resp_err_t *codes;
                int i;
                if (!API_KEY(argv[1], &a)) return fail("api key must be in 0..32767: got \"%s\"", argv[1]);
                /* Validate everything before pushing anything: a command applies fully or not at all. */
                for (i = 2; i < argc; i++)
                        if (!CODE(argv[i], &b)) return fail("error codes must be integers: got \"%s\"", argv[i]);
                codes = malloc(sizeof(*codes) * (size_t)(argc - 2));
                if (!codes) return fail("out of memory");
                for (i = 2; i < argc; i++) {
                        CODE(argv[i], &b);
                        codes[i - 2] = (rd_kafka_resp_err_t)b;
                }
                rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a, (size_t)(argc - 2), codes);
                free(codes);
                return NULL;
        }
        if (!strcmp(cmd, "broker_errors") && argc >= 4) {
                int i;
                if (!parse_long(argv[1], 0, INT32_MAX, &a) || !API_KEY(argv[2], &b))
                        return fail("broker id and api key must be integers: got \"%s\" \"%s\"", argv[1], argv[2]);
                for (i = 3; i < argc; i++) {
                        char *colon = strchr(argv[i], ':');
                        long code, rtt;
                        if (!colon) return fail("expected <code>:<rtt_ms>: got \"%s\"", argv[i]);
                        *colon = '\0';
                        if (!CODE(argv[i], &code) || !parse_long(colon + 1, 0, INT_MAX, &rtt)) {
                                *colon = ':';
                                return fail("expected <code>:<rtt_ms>: got \"%s\"", argv[i]);
                        }
                        *colon = ':';
                }
                /* The stack is a FIFO, so pushing one tuple at a time keeps the given order. The
                 * only failure (unknown broker) happens on the first push, before anything is
                 * pushed. */
                for (i = 3; i < argc; i++) {
                        long code = strtol(argv[i], NULL, 10), rtt = strtol(strchr(argv[i], ':') + 1, NULL, 10);
                        const char *failed = mock_err(rd_kafka_mock_broker_push_request_error_rtts(
                            mcluster, (int32_t)a, (int16_t)b, 1, (rd_kafka_resp_err_t)code, (int)rtt));
                        if (failed) return failed;
                }
                return NULL;
        }
        if (!strcmp(cmd, "clear_errors") && argc == 2) {
                if (!API_KEY(argv[1], &a)) return fail("api key must be in 0..32767: got \"%s\"", argv[1]);
                rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
                return NULL;
        }
        if (!strcmp(cmd, "rtt") && argc == 3) {
                if (!BROKER(argv[1], &a) || !parse_long(argv[2], 0, INT_MAX, &b))
                        return fail("broker id and ms must be integers: got \"%s\" \"%s\"", argv[1], argv[2]);
                return mock_err(rd_kafka_mock_broker_set_rtt(mcluster, (int32_t)a, (int)b));
        }
        if (!strcmp(cmd, "apiversion") && argc == 4) {
                if (!API_KEY(argv[1], &a) || !parse_long(argv[2], -1, INT16_MAX, &b) ||
                    !parse_long(argv[3], -1, INT16_MAX, &c))
                        return fail("api key, min and max must be integers: got \"%s\" \"%s\" \"%s\"", argv[1],
                                    argv[2], argv[3]);
                return mock_err(rd_kafka_mock_set_apiversion(mcluster, (int16_t)a, (int16_t)b, (int16_t)c));
        }
        if (!strcmp(cmd, "topic_error") && argc == 3) {
                if (!CODE(argv[2], &a)) return fail("error code must be an integer: got \"%s\"", argv[2]);
                rd_kafka_mock_topic_set_error(mcluster, argv[1], (rd_kafka_resp_err_t)a);
                return NULL;
        }
        if (!strcmp(cmd, "coordinator") && argc == 4) {
                if (strcmp(argv[1], "transaction") && strcmp(argv[1], "group"))
                        return fail("coordinator type must be transaction or group: got \"%s\"", argv[1]);
                if (!BROKER(argv[3], &a)) return fail("broker id must be an integer: got \"%s\"", argv[3]);
                return mock_err(rd_kafka_mock_coordinator_set(mcluster, argv[1], argv[2], (int32_t)a));
        }
        if (!strcmp(cmd, "track_start") && argc == 1) {
                rd_kafka_mock_start_request_tracking(mcluster);
                return NULL;
        }
        if (!strcmp(cmd, "track_stop") && argc == 1) {
                rd_kafka_mock_stop_request_tracking(mcluster);
                return NULL;
        }
        if (!strcmp(cmd, "track_clear") && argc == 1) {
                rd_kafka_mock_clear_requests(mcluster);
                return NULL;
        }
        if (!strcmp(cmd, "requests") && argc == 1) {
                size_t count = 0, i;
                rd_kafka_mock_request_t **requests = rd_kafka_mock_get_requests(mcluster, &count);
                for (i = 0; i < count; i++)
                        printf("REQ %d %d %lld\n", (int)rd_kafka_mock_request_id(requests[i]),
                               (int)rd_kafka_mock_request_api_key(requests[i]),
                               (long long)rd_kafka_mock_request_timestamp(requests[i]));
                if (requests) rd_kafka_mock_request_destroy_array(requests, count);
                return NULL;
        }
        return fail("unknown command or wrong number of arguments: \"%s\" with %d argument(s) (see the "
                    "comment atop tests/broker/mock_cluster.c)",
                    cmd, argc - 1);
}

/* librdkafka logs through this when --log is not given: the harness must stay quiet. */
static void discard_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
        (void)rk, (void)level, (void)fac, (void)buf;
}

int main(int argc, char **argv) {
        int log = 0, i;
        char errstr[512];
        char *line = NULL;
        size_t capacity = 0;
        char **args = NULL;
        size_t args_capacity = 0;
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;

        /* Validate all arguments before starting anything. */
        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
                        if (!parse_long(argv[++i], 1, 1000, &broker_count)) {
                                fprintf(stderr, "mock_cluster: --brokers must be in 1..1000: got \"%s\"\n", argv[i]);
                                return 2;
                        }
                } else if (!strcmp(argv[i], "--log")) {
                        log = 1;
                } else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
                        const char *colon = strrchr(argv[++i], ':');
                        long partitions;
                        if (!colon || colon == argv[i] || !parse_long(colon + 1, 1, INT32_MAX, &partitions)) {
                                fprintf(stderr, "mock_cluster: --topic takes NAME:PARTITIONS: got \"%s\"\n", argv[i]);
                                return 2;
                        }
                } else {
                        fprintf(stderr, "mock_cluster: unknown or incomplete argument \"%s\"\n", argv[i]);
                        return 2;
                }
        }

        conf = rd_kafka_conf_new();
        if (log) {
                if (rd_kafka_conf_set(conf, "debug", "mock", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                        fprintf(stderr, "mock_cluster: %s\n", errstr);
                        return 1;
                }
        } else {
                rd_kafka_conf_set_log_cb(conf, discard_log);
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock_cluster: rd_kafka_new failed: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, (int)broker_count);
        if (!mcluster) {
                fprintf(stderr, "mock_cluster: could not create the mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }
        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers")) {
                        i++;
                } else if (!strcmp(argv[i], "--topic")) {
                        char *spec = argv[++i], *colon = strrchr(spec, ':');
                        rd_kafka_resp_err_t err;
                        *colon = '\0';
                        err = rd_kafka_mock_topic_create(mcluster, spec, (int)strtol(colon + 1, NULL, 10),
                                                         broker_count < 3 ? (int)broker_count : 3);
                        if (err) {
                                fprintf(stderr, "mock_cluster: cannot create topic \"%s\": %s\n", spec,
                                        rd_kafka_err2str(err));
                                rd_kafka_mock_cluster_destroy(mcluster);
                                rd_kafka_destroy(rk);
                                return 1;
                        }
                }
        }
        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        /* getline: commands have no length limit (long error lists), and a long line is never
         * split into two commands. */
        while (getline(&line, &capacity, stdin) >= 0) {
                size_t n = 0, needed = strlen(line) / 2 + 2; /* upper bound on the token count */
                char *save = NULL, *token;
                const char *failed;
                if (needed > args_capacity) {
                        char **grown = realloc(args, needed * sizeof(*args));
                        if (!grown) {
                                printf("ERR out of memory\n");
                                fflush(stdout);
                                continue;
                        }
                        args          = grown;
                        args_capacity = needed;
                }
                for (token = strtok_r(line, " \t\r\n", &save); token; token = strtok_r(NULL, " \t\r\n", &save))
                        args[n++] = token;
                if (n == 0) continue; /* blank lines are not commands and get no answer */
                if (!strcmp(args[0], "quit") && n == 1) {
                        printf("OK\n");
                        fflush(stdout);
                        break;
                }
                failed = run((int)n, args);
                if (failed) printf("ERR %s\n", failed);
                else printf("OK\n");
                fflush(stdout);
        }
        /* No rd_kafka_mock_cluster_destroy(): it waits up to 1 s for the mock's poll loop, which
         * every test file would pay on close(). Exiting releases the listeners, connections and
         * memory all the same; stdout is flushed after every answer. */
        fflush(stdout);
        _exit(0);
}
