// A second, independent encoder for sluice's protocol cross-check: Kafka's own generated
// message classes (kafka-clients' *Data classes, the code Kafka's clients and brokers run).
// For each API and version it builds a request or response with the same field values as
// tests/protocol/golden*.ts, serializes it with Kafka's ObjectSerializationCache and
// ByteBufferAccessor, and prints one line per message:
//
//   <label> v<version> <lowercase hex of the body>
//
// tests/protocol/java_crosscheck_test.ts compiles and runs this with kafka-clients on the
// classpath, compares request bodies with sluice's encoders and decodes response bodies with
// sluice's decoders. Lines "Uuid <hex> <string>" check sluice's UUID formatting.
//
// A field is set only in versions that have it: Kafka refuses to write a non-default value
// of a non-ignorable field in a version without it (as sluice's encoders do for theirs).

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;

public class ProtocolCrosscheck {
  /** TOPIC_ID in golden.ts: 11 22 .. ff 00 (topic "t", and "ab" in Metadata). */
  static final Uuid TOPIC_ID = new Uuid(0x1122334455667788L, 0x99aabbccddeeff00L);
  /** TOPIC_ID_U in golden.ts: a0 a1 .. af (topic "u"). */
  static final Uuid TOPIC_ID_U = new Uuid(0xa0a1a2a3a4a5a6a7L, 0xa8a9aaabacadaeafL);

  public static void main(String[] args) {
    uuids();
    produce();
    metadata();
    apiVersions();
    initProducerId();
    sasl();
    findCoordinator();
    addPartitionsToTxn();
    addOffsetsToTxn();
    endTxn();
    txnOffsetCommit();
  }

  static void emit(String label, Message message, int version) {
    short v = (short) version;
    ObjectSerializationCache cache = new ObjectSerializationCache();
    ByteBuffer buffer = ByteBuffer.allocate(message.size(cache, v));
    message.write(new ByteBufferAccessor(buffer), cache, v);
    if (buffer.hasRemaining()) throw new IllegalStateException(label + ": size() overstated");
    StringBuilder hex = new StringBuilder();
    for (byte b : buffer.array()) hex.append(String.format("%02x", b & 0xff));
    System.out.println(label + " v" + version + " " + hex);
  }

  static MemoryRecords records(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) out[i] = (byte) bytes[i];
    return MemoryRecords.readableRecords(ByteBuffer.wrap(out));
  }

  static void uuids() {
    for (Uuid id : List.of(TOPIC_ID, TOPIC_ID_U, Uuid.ZERO_UUID, new Uuid(-1L, 1L))) {
      ByteBuffer bytes = ByteBuffer.allocate(16);
      bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
      StringBuilder hex = new StringBuilder();
      for (byte b : bytes.array()) hex.append(String.format("%02x", b & 0xff));
      System.out.println("Uuid " + hex + " " + id);
    }
  }

  // Produce: PRODUCE_REQUEST (and with transactional id "tx"), produceResponse(v).

  static void produce() {
    for (int v = 3; v <= 13; v++) {
      for (String txn : Arrays.asList(null, "tx")) {
        var topics = new ProduceRequestData.TopicProduceDataCollection(List.of(
            new ProduceRequestData.TopicProduceData().setName("t").setTopicId(TOPIC_ID)
                .setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records(1, 2, 3)),
                    new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(null))),
            new ProduceRequestData.TopicProduceData().setName("u").setTopicId(TOPIC_ID_U)
                .setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(2).setRecords(records(4)))))
            .iterator());
        emit(txn == null ? "ProduceRequest" : "ProduceRequest/tx",
            new ProduceRequestData().setTransactionalId(txn).setAcks((short) -1).setTimeoutMs(30000)
                .setTopicData(topics),
            v);
      }

      var ok = new ProduceResponseData.PartitionProduceResponse().setIndex(0).setErrorCode((short) 0)
          .setBaseOffset(42).setLogAppendTimeMs(-1);
      if (v >= 5) ok.setLogStartOffset(7);
      var failed = new ProduceResponseData.PartitionProduceResponse().setIndex(1)
          .setErrorCode((short) 87).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
      if (v >= 8) {
        failed.setRecordErrors(List.of(
            new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(3).setBatchIndexErrorMessage("bad"),
            new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(4).setBatchIndexErrorMessage(null)));
        failed.setErrorMessage("oops");
      }
      if (v >= 10) {
        failed.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(7));
      }
      var topic = new ProduceResponseData.TopicProduceResponse().setPartitionResponses(List.of(ok, failed));
      if (v >= 13) topic.setTopicId(TOPIC_ID);
      else topic.setName("t");
      var response = new ProduceResponseData().setThrottleTimeMs(10)
          .setResponses(new ProduceResponseData.TopicProduceResponseCollection(List.of(topic).iterator()));
      if (v >= 10) {
        response.setNodeEndpoints(new ProduceResponseData.NodeEndpointCollection(List.of(
            new ProduceResponseData.NodeEndpoint().setNodeId(2).setHost("h2").setPort(9093).setRack("r"))
            .iterator()));
      }
      emit("ProduceResponse", response, v);
    }
  }

  // Metadata: METADATA_REQUEST, metadataResponse(v).

  static void metadata() {
    for (int v = 1; v <= 13; v++) {
      var topic = new MetadataRequestData.MetadataRequestTopic().setName("ab");
      if (v >= 10) topic.setTopicId(TOPIC_ID);
      var request = new MetadataRequestData().setTopics(List.of(topic));
      if (v >= 4) request.setAllowAutoTopicCreation(false);
      if (v >= 8 && v <= 10) request.setIncludeClusterAuthorizedOperations(true);
      if (v >= 8) request.setIncludeTopicAuthorizedOperations(true);
      emit("MetadataRequest", request, v);

      var partition = new MetadataResponseData.MetadataResponsePartition().setErrorCode((short) 0)
          .setPartitionIndex(0).setLeaderId(1).setReplicaNodes(List.of(1, 2)).setIsrNodes(List.of(1));
      if (v >= 7) partition.setLeaderEpoch(5);
      if (v >= 5) partition.setOfflineReplicas(List.of(2));
      var responseTopic = new MetadataResponseData.MetadataResponseTopic().setErrorCode((short) 0)
          .setName("ab").setIsInternal(false).setPartitions(List.of(partition));
      if (v >= 10) responseTopic.setTopicId(TOPIC_ID);
      if (v >= 8) responseTopic.setTopicAuthorizedOperations(0x0f);
      var response = new MetadataResponseData()
          .setBrokers(new MetadataResponseData.MetadataResponseBrokerCollection(List.of(
              new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("h1").setPort(9092).setRack("r"),
              new MetadataResponseData.MetadataResponseBroker().setNodeId(2).setHost("h2").setPort(9093).setRack(null))
              .iterator()))
          .setControllerId(2)
          .setTopics(new MetadataResponseData.MetadataResponseTopicCollection(List.of(responseTopic).iterator()));
      if (v >= 3) response.setThrottleTimeMs(100);
      if (v >= 2) response.setClusterId("c");
      if (v >= 8 && v <= 10) response.setClusterAuthorizedOperations(0x1f);
      if (v >= 13) response.setErrorCode((short) 0);
      emit("MetadataResponse", response, v);
    }
  }

  // ApiVersions: client software "sluice" "1.2.3"; apiVersionsResponse(v).

  static void apiVersions() {
    for (int v = 0; v <= 3; v++) {
      var request = new ApiVersionsRequestData();
      if (v >= 3) request.setClientSoftwareName("sluice").setClientSoftwareVersion("1.2.3");
      emit("ApiVersionsRequest", request, v);

      var response = new ApiVersionsResponseData().setErrorCode((short) 0)
          .setApiKeys(new ApiVersionsResponseData.ApiVersionCollection(List.of(
              new ApiVersionsResponseData.ApiVersion().setApiKey((short) 0).setMinVersion((short) 3).setMaxVersion((short) 11),
              new ApiVersionsResponseData.ApiVersion().setApiKey((short) 18).setMinVersion((short) 0).setMaxVersion((short) 4))
              .iterator()));
      if (v >= 1) response.setThrottleTimeMs(v >= 3 ? 7 : 100);
      if (v >= 3) {
        response.setSupportedFeatures(new ApiVersionsResponseData.SupportedFeatureKeyCollection(List.of(
            new ApiVersionsResponseData.SupportedFeatureKey().setName("metadata.version")
                .setMinVersion((short) 7).setMaxVersion((short) 27)).iterator()));
        response.setFinalizedFeaturesEpoch(42);
        response.setFinalizedFeatures(new ApiVersionsResponseData.FinalizedFeatureKeyCollection(List.of(
            new ApiVersionsResponseData.FinalizedFeatureKey().setName("metadata.version")
                .setMaxVersionLevel((short) 27).setMinVersionLevel((short) 27),
            new ApiVersionsResponseData.FinalizedFeatureKey().setName("transaction.version")
                .setMaxVersionLevel((short) 2).setMinVersionLevel((short) 2)).iterator()));
        response.setZkMigrationReady(true);
      }
      emit("ApiVersionsResponse", response, v);
    }
  }

  // InitProducerId: an epoch bump (null id, 60000 ms, producer 5 epoch 2 from v3) and a
  // transactional one ("tx", 60000 ms, 2PC flags from v6).

  static void initProducerId() {
    for (int v = 0; v <= 6; v++) {
      var bump = new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000);
      if (v >= 3) bump.setProducerId(5).setProducerEpoch((short) 2);
      emit("InitProducerIdRequest/bump", bump, v);
      var txn = new InitProducerIdRequestData().setTransactionalId("tx").setTransactionTimeoutMs(60000);
      if (v >= 6) txn.setEnable2Pc(true).setKeepPreparedTxn(true);
      emit("InitProducerIdRequest/tx", txn, v);

      var response = new InitProducerIdResponseData().setThrottleTimeMs(3).setErrorCode((short) 0)
          .setProducerId(4096).setProducerEpoch((short) 7);
      if (v >= 6) response.setOngoingTxnProducerId(4095).setOngoingTxnProducerEpoch((short) 6);
      emit("InitProducerIdResponse", response, v);
    }
  }

  // SaslHandshake "SCRAM-SHA-256" / ["PLAIN", "SCRAM-SHA-256"]; SaslAuthenticate 00 75 00 70 /
  // "r=1" with a 3600000 ms session, and a failure.

  static void sasl() {
    for (int v = 0; v <= 1; v++) {
      emit("SaslHandshakeRequest", new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-256"), v);
      emit("SaslHandshakeResponse", new SaslHandshakeResponseData().setErrorCode((short) 0)
          .setMechanisms(List.of("PLAIN", "SCRAM-SHA-256")), v);
    }
    for (int v = 0; v <= 2; v++) {
      emit("SaslAuthenticateRequest",
          new SaslAuthenticateRequestData().setAuthBytes(new byte[] {0, 'u', 0, 'p'}), v);
      var response = new SaslAuthenticateResponseData().setErrorCode((short) 0).setErrorMessage(null)
          .setAuthBytes(new byte[] {'r', '=', '1'});
      if (v >= 1) response.setSessionLifetimeMs(3600000);
      emit("SaslAuthenticateResponse", response, v);
      emit("SaslAuthenticateResponse/failed", new SaslAuthenticateResponseData().setErrorCode((short) 58)
          .setErrorMessage("Authentication failed").setAuthBytes(new byte[0]), v);
    }
  }

  // FindCoordinator: findCoordinatorRequest(v), findCoordinatorResponse(v).

  static void findCoordinator() {
    for (int v = 0; v <= 6; v++) {
      var request = new FindCoordinatorRequestData();
      if (v == 0) request.setKey("g");
      else if (v < 4) request.setKey("tx").setKeyType((byte) 1);
      else request.setKeyType((byte) 1).setCoordinatorKeys(List.of("tx", "ty"));
      emit("FindCoordinatorRequest", request, v);

      var response = new FindCoordinatorResponseData();
      if (v >= 1) response.setThrottleTimeMs(10);
      if (v < 4) {
        response.setErrorCode((short) 0).setNodeId(2).setHost("h2").setPort(9093);
        if (v >= 1) response.setErrorMessage(null);
      } else {
        response.setCoordinators(List.of(
            new FindCoordinatorResponseData.Coordinator().setKey("tx").setNodeId(2).setHost("h2")
                .setPort(9093).setErrorCode((short) 0).setErrorMessage(null),
            new FindCoordinatorResponseData.Coordinator().setKey("ty").setNodeId(-1).setHost("")
                .setPort(-1).setErrorCode((short) 15).setErrorMessage("gone")));
      }
      emit("FindCoordinatorResponse", response, v);
    }
  }

  // AddPartitionsToTxn (client versions): ADD_PARTITIONS_TO_TXN_REQUEST / _RESPONSE.

  static void addPartitionsToTxn() {
    for (int v = 0; v <= 3; v++) {
      var topics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection(List.of(
          new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("t").setPartitions(List.of(0, 1)),
          new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("u").setPartitions(List.of(2)))
          .iterator());
      emit("AddPartitionsToTxnRequest", new AddPartitionsToTxnRequestData()
          .setV3AndBelowTransactionalId("tx").setV3AndBelowProducerId(5)
          .setV3AndBelowProducerEpoch((short) 2).setV3AndBelowTopics(topics), v);

      var results = new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection(List.of(
          new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("t")
              .setResultsByPartition(partitionResults(0, 0, 1, 51)),
          new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName("u")
              .setResultsByPartition(partitionResults(2, 55))).iterator());
      emit("AddPartitionsToTxnResponse", new AddPartitionsToTxnResponseData().setThrottleTimeMs(10)
          .setResultsByTopicV3AndBelow(results), v);
    }
  }

  /** Pairs of (partition, error code). */
  static AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection partitionResults(
      int... pairs) {
    var out = new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
          .setPartitionIndex(pairs[i]).setPartitionErrorCode((short) pairs[i + 1]));
    }
    return out;
  }

  static void addOffsetsToTxn() {
    for (int v = 0; v <= 4; v++) {
      emit("AddOffsetsToTxnRequest", new AddOffsetsToTxnRequestData().setTransactionalId("tx")
          .setProducerId(5).setProducerEpoch((short) 2).setGroupId("g"), v);
      emit("AddOffsetsToTxnResponse", new AddOffsetsToTxnResponseData().setThrottleTimeMs(10)
          .setErrorCode((short) 51), v);
    }
  }

  static void endTxn() {
    for (int v = 0; v <= 5; v++) {
      for (boolean committed : new boolean[] {true, false}) {
        emit(committed ? "EndTxnRequest/commit" : "EndTxnRequest/abort", new EndTxnRequestData()
            .setTransactionalId("tx").setProducerId(5).setProducerEpoch((short) 2).setCommitted(committed), v);
      }
      var response = new EndTxnResponseData().setThrottleTimeMs(10).setErrorCode((short) 0);
      if (v >= 5) response.setProducerId(5).setProducerEpoch((short) 3);
      emit("EndTxnResponse", response, v);
    }
  }

  // TxnOffsetCommit: txnOffsetCommitRequest(v), txnOffsetCommitResponse(v).

  static void txnOffsetCommit() {
    for (int v = 0; v <= 6; v++) {
      var first = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)
          .setCommittedOffset(100).setCommittedMetadata("md");
      if (v >= 2) first.setCommittedLeaderEpoch(7);
      var second = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(1)
          .setCommittedOffset(200).setCommittedMetadata(null);
      var topic = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
          .setPartitions(List.of(first, second));
      if (v >= 6) topic.setTopicId(TOPIC_ID);
      else topic.setName("t");
      var request = new TxnOffsetCommitRequestData().setTransactionalId("tx").setGroupId("g")
          .setProducerId(5).setProducerEpoch((short) 2).setTopics(List.of(topic));
      if (v >= 3) request.setGenerationIdOrMemberEpoch(3).setMemberId("m").setGroupInstanceId("i");
      emit("TxnOffsetCommitRequest", request, v);

      var responseTopic = new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
          .setPartitions(List.of(
              new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition().setPartitionIndex(0)
                  .setErrorCode((short) 0),
              new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition().setPartitionIndex(1)
                  .setErrorCode((short) 22)));
      if (v >= 6) responseTopic.setTopicId(TOPIC_ID);
      else responseTopic.setName("t");
      emit("TxnOffsetCommitResponse", new TxnOffsetCommitResponseData().setThrottleTimeMs(10)
          .setTopics(List.of(responseTopic)), v);
    }
  }
}
