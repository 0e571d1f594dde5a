package io.ringway.tun.impl;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Netty's leak detector tracks every buffer while the test class runs, then goes back to its level. */
final class ParanoidLeakDetection implements BeforeAllCallback, AfterAllCallback {

  private ResourceLeakDetector.Level before;

  @Override
  public void beforeAll(ExtensionContext context) {
    before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ResourceLeakDetector.setLevel(before);
  }
}
