package io.kubeincident.openai;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenEstimatorTest {

    @Test
    void tokenEstimateIsAboutFourCharactersAWordAtLeast() {
        assertEquals(0, TokenEstimator.estimate(""));
        assertEquals(3, TokenEstimator.estimate("hello world!"));
        assertEquals(4, TokenEstimator.estimate("a b c d"));
        assertEquals(250, TokenEstimator.estimate("x".repeat(1000)));
        assertEquals(5, TokenEstimator.estimate("日本語 ab"), "2 words, 3 non-ASCII characters");
    }
}
