namespace BotFlow.Host.Tests.Infrastructure;

/// <summary>Flow documents shared by several tests.</summary>
public static class TestFlows
{
    /// <summary>message → question (CPF) → menu → transfer / end.</summary>
    public const string Atendimento = """
    {
      "id": "atendimento",
      "name": "Atendimento",
      "start": "boas-vindas",
      "blocks": [
        { "id": "boas-vindas", "type": "message", "config": { "text": "Olá, {{ contact.name }}!" }, "next": "pedir-cpf" },
        { "id": "pedir-cpf", "type": "question",
          "config": { "text": "Qual é o seu CPF?", "field": "cpf", "invalidText": "Esse CPF não parece válido. Pode digitar de novo?" },
          "next": "menu" },
        { "id": "menu", "type": "menu",
          "config": { "text": "CPF {{ contact.cpf }} recebido.\n1 - Financeiro\n2 - Encerrar",
                      "options": [ { "key": "1", "label": "Financeiro" }, { "key": "2", "label": "Encerrar" } ],
                      "invalidText": "Responda 1 ou 2." },
          "exits": { "1": "financeiro", "2": "fim" } },
        { "id": "financeiro", "type": "transfer", "config": { "department": "Financeiro", "text": "Vou te passar para o financeiro." } },
        { "id": "fim", "type": "end", "config": { "text": "Obrigado, {{ contact.name }}!" } }
      ]
    }
    """;
}
