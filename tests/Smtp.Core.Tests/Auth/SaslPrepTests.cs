using Smtp.Core.Auth;

namespace Smtp.Core.Tests.Auth;

public class SaslPrepTests
{
    // RFC 4013 §3 examples, where this subset covers them.
    [TestCase("I\u00ADX", "IX", TestName = "Soft_hyphen_is_mapped_to_nothing")]
    [TestCase("user", "user", TestName = "Ascii_is_unchanged")]
    [TestCase("USER", "USER", TestName = "Case_is_preserved")]
    [TestCase("\u00AA", "a", TestName = "Feminine_ordinal_is_nfkc_normalised")]
    [TestCase("\u2168", "IX", TestName = "Roman_numeral_nine_is_nfkc_normalised")]
    [TestCase("a\u00A0b\u3000c", "a b c", TestName = "Non_ascii_spaces_map_to_space")]
    [TestCase("a\uFEFFb\u200Dc", "abc", TestName = "Zero_width_characters_are_removed")]
    public void Prepares(string input, string expected)
    {
        Assert.That(SaslPrep.TryPrepare(input, out string output), Is.True);
        Assert.That(output, Is.EqualTo(expected));
    }

    [TestCase("\u0007", TestName = "Ascii_control_is_prohibited")]
    [TestCase("a\u007Fb", TestName = "Delete_is_prohibited")]
    [TestCase("a\u0085b", TestName = "Non_ascii_control_is_prohibited")]
    [TestCase("a\uE000b", TestName = "Private_use_is_prohibited")]
    [TestCase("a\uFFFEb", TestName = "Non_character_is_prohibited")]
    [TestCase("a\u200Eb", TestName = "Direction_mark_is_prohibited")]
    [TestCase("a\uD800b", TestName = "Lone_surrogate_is_prohibited")]
    [TestCase("a\U000E0001b", TestName = "Language_tag_is_prohibited")]
    public void Rejects(string input)
    {
        Assert.That(SaslPrep.TryPrepare(input, out _), Is.False);
    }

    [Test]
    public void Supplementary_characters_pass()
    {
        Assert.That(SaslPrep.TryPrepare("a\U0001F600b", out string output), Is.True);
        Assert.That(output, Is.EqualTo("a\U0001F600b"));
    }
}
