/**
 * The Drover service SDK: implement {@link io.drover.sdk.MicroService} and read your ports and
 * settings from the {@link io.drover.sdk.ServiceContext}. Depend on it with scope {@code provided}:
 * the container supplies it.
 */
package io.drover.sdk;
