package io.kubeincident.core.detect;

import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.ProviderContext;

import java.util.function.Function;

/**
 * Base of the built-in detector providers: reads {@link DetectionConfig} from {@code detection.*}
 * (throwing for a bad value, which the engine reports) and honours {@code detection.disabled}.
 */
abstract class BuiltInDetectorProvider implements DetectorProvider {

    private final String id;
    private final Function<DetectionConfig, Detector> factory;

    BuiltInDetectorProvider(String id, Function<DetectionConfig, Detector> factory) {
        this.id = id;
        this.factory = factory;
    }

    @Override
    public Detector create(ProviderContext context) {
        return factory.apply(DetectionConfig.from(context.config()));
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return !context.config().getList(DetectionConfig.PREFIX + "disabled", java.util.List.of()).contains(id);
    }
}
