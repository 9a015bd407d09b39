package io.noise2noise.gateway;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;

import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The final answer to a request in a MockMvc slice: submissions answer through a {@code DeferredResult}
 * (and the legacy route streams its body), so the request is dispatched again until no async work is left.
 */
public final class MvcAnswers {

    private MvcAnswers() {}

    public static ResultActions answer(MockMvc mvc, RequestBuilder request) throws Exception {
        return finish(mvc, mvc.perform(request));
    }

    /** The answer of a request already started, once its async result is there (waiting for it). */
    public static ResultActions finish(MockMvc mvc, ResultActions started) throws Exception {
        ResultActions actions = started;
        MvcResult result = actions.andReturn();
        while (result.getRequest().isAsyncStarted()) {
            result.getAsyncResult();
            actions = mvc.perform(asyncDispatch(result));
            result = actions.andReturn();
        }
        return actions;
    }
}
