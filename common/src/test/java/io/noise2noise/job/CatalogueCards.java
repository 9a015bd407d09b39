package io.noise2noise.job;

/** Catalogue cards for tests on both sides of the catalogue (workers publish them, gateways read them). */
public final class CatalogueCards {

    /** The shipped default's card as it was first published: halfunet, blind Gaussian, validated on Set14. */
    public static final CatalogueCard HALFUNET_GAUSSIAN = new CatalogueCard(
            "halfunet",
            3,
            "gaussian,0,50",
            "gaussian,0,50",
            "n2n",
            14_155_776_000L,
            6750L,
            774_540L,
            false,
            new CatalogueCard.Validation("Set14", 20.39, 28.475),
            null,
            null);

    private CatalogueCards() {}
}
