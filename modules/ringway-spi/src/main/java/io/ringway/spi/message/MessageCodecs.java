package io.ringway.spi.message;

import io.ringway.spi.ConfigRejected;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthTransition;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The event-bus codecs of every Ringway message record (see {@link io.ringway.spi.Addresses}): each
 * record is passed by reference on its node and travels as its JSON form between nodes.
 * {@link ConfigSnapshot} carries the whole config records tree and has no JSON form: it is local only,
 * and so are the addresses that carry it.
 */
public final class MessageCodecs {

  private static final List<RecordCodec<?>> CODECS = List.of(
      RecordCodec.localOnly(ConfigSnapshot.class),
      RecordCodec.of(ConfigRejected.class, ConfigRejected::toJson, ConfigRejected::fromJson),
      RecordCodec.of(ConfigApply.class, ConfigApply::toJson, ConfigApply::fromJson),
      RecordCodec.of(ConfigApplyResult.class, ConfigApplyResult::toJson, ConfigApplyResult::fromJson),
      RecordCodec.of(ConfigPut.class, ConfigPut::toJson, ConfigPut::fromJson),
      RecordCodec.of(ConfigStored.class, ConfigStored::toJson, ConfigStored::fromJson),
      RecordCodec.of(ConfigCheck.class, ConfigCheck::toJson, ConfigCheck::fromJson),
      RecordCodec.of(ConfigChecked.class, ConfigChecked::toJson, ConfigChecked::fromJson),
      RecordCodec.of(NodeInfo.class, NodeInfo::toJson, NodeInfo::fromJson),
      RecordCodec.of(DrainOrder.class, DrainOrder::toJson, DrainOrder::fromJson),
      RecordCodec.of(DrainStatus.class, DrainStatus::toJson, DrainStatus::fromJson),
      RecordCodec.of(StatsRequest.class, StatsRequest::toJson, StatsRequest::fromJson),
      RecordCodec.of(InstanceStats.class, InstanceStats::toJson, InstanceStats::fromJson),
      RecordCodec.of(CollectedStats.class, CollectedStats::toJson, CollectedStats::fromJson),
      RecordCodec.of(EndpointsUpdate.class, EndpointsUpdate::toJson, EndpointsUpdate::fromJson),
      RecordCodec.of(HealthTransition.class, HealthTransition::toJson, HealthTransition::fromJson),
      RecordCodec.of(RegisterEndpoint.class, RegisterEndpoint::toJson, RegisterEndpoint::fromJson),
      RecordCodec.of(EndpointRegistered.class, EndpointRegistered::toJson, EndpointRegistered::fromJson),
      RecordCodec.of(EndpointOwners.class, EndpointOwners::toJson, EndpointOwners::fromJson),
      RecordCodec.of(TunPeerConfig.class, TunPeerConfig::toJson, TunPeerConfig::fromJson),
      RecordCodec.of(TunPeer.class, TunPeer::toJson, TunPeer::fromJson),
      RecordCodec.of(TunPeers.class, TunPeers::toJson, TunPeers::fromJson));

  private MessageCodecs() {
  }

  /**
   * Registers the codec of every message record as that type's default codec on this Vert.x; safe to call
   * more than once. Every member must call it: a clustered message names its codec, which the receiver looks up.
   */
  public static void registerAll(Vertx vertx) {
    CODECS.forEach(codec -> register(vertx, codec));
  }

  /** Every message record's codec, for tests. */
  static List<RecordCodec<?>> codecs() {
    return CODECS;
  }

  private static <T> void register(Vertx vertx, RecordCodec<T> codec) {
    try {
      vertx.eventBus().registerDefaultCodec(codec.type(), codec);
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle or an earlier start registered it: the codec is stateless, so theirs serves
    }
  }
}
