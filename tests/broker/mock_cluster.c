/*
 * mock_cluster: hosts a librdkafka mock cluster (librdkafka's own in-process Kafka broker
 * implementation, used to test librdkafka) for sluice's integration tests.
 *
 *   mock_cluster [--brokers N] [--topic NAME:PARTITIONS]... [--log]
 *
 * Prints one line `BOOTSTRAP host:port,...` on stdout, then reads one command per line on
 * stdin and answers each with `OK` (possibly after output lines) or `ERR <reason>`. Exits on
 * EOF or `quit`, so a test process that dies takes its cluster with it.
 *
 * Commands (numbers are Kafka error codes; -195 is librdkafka's _TRANSPORT, which makes the
 * mock close the connection instead of answering):
 *   ping
 *   topic_create <topic> <partitions> [replication_factor]
 *   broker_down <id> | broker_up <id>
 *   leader <topic> <partition> <broker_id>          (-1: no leader)
 *   follower <topic> <partition> <broker_id>
 *   errors <apikey> <code> [<code> ...]             (cluster-wide error stack, in order)
 *   broker_errors <broker_id> <apikey> <code>:<rtt_ms> [...]
 *   clear_errors <apikey>
 *   rtt <broker_id> <ms>
 *   apiversion <apikey> <min> <max>
 *   topic_error <topic> <code>                      (returned in Metadata for the topic)
 *   track_start | track_stop
 *   requests                                        (REQ <apikey> <timestamp_us> lines, then OK)
 *   quit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdkafka.h"
#include "rdkafka_mock.h"

#define MAX_ARGS 64

static rd_kafka_mock_cluster_t *mcluster;

static void answer_err(const char *fmt, const char *detail) {
        printf("ERR ");
        printf(fmt, detail);
        printf("\n");
        fflush(stdout);
}

static void answer_ok(void) {
        printf("OK\n");
        fflush(stdout);
}

static int parse_int(const char *text, long *out) {
        char *end;
        errno = 0;
        *out  = strtol(text, &end, 10);
        return errno == 0 && end != text && *end == '\0';
}

/* Returns NULL on success or a static reason. */
static const char *run(int argc, char **argv) {
        long a, b, c;
        const char *cmd = argv[0];
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

        if (!strcmp(cmd, "ping")) {
                return NULL;
        } else if (!strcmp(cmd, "topic_create") && (argc == 3 || argc == 4)) {
                if (!parse_int(argv[2], &a) || a <= 0) return "partitions must be a positive integer";
                b = 1;
                if (argc == 4 && (!parse_int(argv[3], &b) || b <= 0)) return "replication factor must be positive";
                err = rd_kafka_mock_topic_create(mcluster, argv[1], (int)a, (int)b);
        } else if ((!strcmp(cmd, "broker_down") || !strcmp(cmd, "broker_up")) && argc == 2) {
                if (!parse_int(argv[1], &a)) return "broker id must be an integer";
                err = !strcmp(cmd, "broker_down") ? rd_kafka_mock_broker_set_down(mcluster, (int32_t)a)
                                                  : rd_kafka_mock_broker_set_up(mcluster, (int32_t)a);
        } else if ((!strcmp(cmd, "leader") || !strcmp(cmd, "follower")) && argc == 4) {
                if (!parse_int(argv[2], &a) || !parse_int(argv[3], &b)) return "partition and broker id must be integers";
                err = !strcmp(cmd, "leader")
                          ? rd_kafka_mock_partition_set_leader(mcluster, argv[1], (int32_t)a, (int32_t)b)
                          : rd_kafka_mock_partition_set_follower(mcluster, argv[1], (int32_t)a, (int32_t)b);
        } else if (!strcmp(cmd, "errors") && argc >= 3) {
                rd_kafka_resp_err_t codes[MAX_ARGS];
                int i;
                if (!parse_int(argv[1], &a)) return "api key must be an integer";
                for (i = 2; i < argc; i++) {
                        if (!parse_int(argv[i], &b)) return "error codes must be integers";
                        codes[i - 2] = (rd_kafka_resp_err_t)b;
                }
                rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a, (size_t)(argc - 2), codes);
        } else if (!strcmp(cmd, "broker_errors") && argc >= 4) {
                int i;
                if (!parse_int(argv[1], &a) || !parse_int(argv[2], &b)) return "broker id and api key must be integers";
                for (i = 3; i < argc && !err; i++) {
                        char *colon = strchr(argv[i], ':');
                        long code, rtt;
                        if (!colon) return "expected <code>:<rtt_ms>";
                        *colon = '\0';
                        if (!parse_int(argv[i], &code) || !parse_int(colon + 1, &rtt)) return "expected <code>:<rtt_ms>";
                        err = rd_kafka_mock_broker_push_request_error_rtts(mcluster, (int32_t)a, (int16_t)b, 1,
                                                                           (rd_kafka_resp_err_t)code, (int)rtt);
                }
        } else if (!strcmp(cmd, "clear_errors") && argc == 2) {
                if (!parse_int(argv[1], &a)) return "api key must be an integer";
                rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
        } else if (!strcmp(cmd, "rtt") && argc == 3) {
                if (!parse_int(argv[1], &a) || !parse_int(argv[2], &b)) return "broker id and ms must be integers";
                err = rd_kafka_mock_broker_set_rtt(mcluster, (int32_t)a, (int)b);
        } else if (!strcmp(cmd, "apiversion") && argc == 4) {
                if (!parse_int(argv[1], &a) || !parse_int(argv[2], &b) || !parse_int(argv[3], &c))
                        return "api key, min and max must be integers";
                err = rd_kafka_mock_set_apiversion(mcluster, (int16_t)a, (int16_t)b, (int16_t)c);
        } else if (!strcmp(cmd, "topic_error") && argc == 3) {
                if (!parse_int(argv[2], &a)) return "error code must be an integer";
                rd_kafka_mock_topic_set_error(mcluster, argv[1], (rd_kafka_resp_err_t)a);
        } else if (!strcmp(cmd, "track_start") && argc == 1) {
                rd_kafka_mock_start_request_tracking(mcluster);
        } else if (!strcmp(cmd, "track_stop") && argc == 1) {
                rd_kafka_mock_stop_request_tracking(mcluster);
        } else if (!strcmp(cmd, "requests") && argc == 1) {
                size_t cnt = 0, i;
                rd_kafka_mock_request_t **requests = rd_kafka_mock_get_requests(mcluster, &cnt);
                for (i = 0; i < cnt; i++)
                        printf("REQ %d %lld\n", (int)rd_kafka_mock_request_api_key(requests[i]),
                               (long long)rd_kafka_mock_request_timestamp(requests[i]));
                rd_kafka_mock_request_destroy_array(requests, cnt);
        } else {
                return "unknown command or wrong number of arguments (see the comment atop mock_cluster.c)";
        }
        if (err) {
                static char reason[256];
                snprintf(reason, sizeof(reason), "%s", rd_kafka_err2str(err));
                return reason;
        }
        return NULL;
}

int main(int argc, char **argv) {
        long brokers = 3;
        int log = 0, i;
        char errstr[512], line[4096];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
                        if (!parse_int(argv[++i], &brokers) || brokers < 1) {
                                fprintf(stderr, "mock_cluster: --brokers must be a positive integer\n");
                                return 2;
                        }
                } else if (!strcmp(argv[i], "--log")) {
                        log = 1;
                } else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
                        i++; /* created after the cluster starts */
                } else {
                        fprintf(stderr, "mock_cluster: unknown argument %s\n", argv[i]);
                        return 2;
                }
        }
        if (log) rd_kafka_conf_set(conf, "debug", "mock", errstr, sizeof(errstr));
        else rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock_cluster: rd_kafka_new failed: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, (int)brokers);
        if (!mcluster) {
                fprintf(stderr, "mock_cluster: could not create the mock cluster\n");
                return 1;
        }
        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
                        char *spec = argv[++i], *colon = strchr(spec, ':');
                        long partitions = 1;
                        if (colon) {
                                *colon = '\0';
                                if (!parse_int(colon + 1, &partitions)) partitions = 1;
                        }
                        rd_kafka_mock_topic_create(mcluster, spec, (int)partitions, brokers < 3 ? (int)brokers : 3);
                }
        }
        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        while (fgets(line, sizeof(line), stdin)) {
                char *args[MAX_ARGS];
                int n = 0;
                char *token = strtok(line, " \t\r\n");
                const char *reason;
                while (token && n < MAX_ARGS) {
                        args[n++] = token;
                        token = strtok(NULL, " \t\r\n");
                }
                if (n == 0) continue;
                if (!strcmp(args[0], "quit")) break;
                reason = run(n, args);
                if (reason) answer_err("%s", reason);
                else answer_ok();
        }
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
