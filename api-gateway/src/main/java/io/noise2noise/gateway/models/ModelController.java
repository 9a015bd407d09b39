package io.noise2noise.gateway.models;

import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The model catalogue: which models the workers run, what each is, and whether a worker runs it now. */
@RestController
public class ModelController {

    private final ModelCatalogue catalogue;

    public ModelController(ModelCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    public record ModelList(List<ModelCatalogue.Model> models) {}

    @GetMapping("/v1/models")
    public ModelList models() {
        return new ModelList(catalogue.models());
    }

    @GetMapping("/v1/models/{name}")
    public ModelCatalogue.Model model(@PathVariable String name) {
        return catalogue
                .model(name)
                .orElseThrow(() -> new RequestRefusedException(Reason.MODEL_NOT_FOUND, catalogue.unknown(name)));
    }
}
